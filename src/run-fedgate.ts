import { runCli } from './cli/run-cli.js';
import type { CliIo } from './cli/cli-io.js';
import type { StartGatewayOptions, RunningGateway } from './main.js';

/**
 * The `fedgate` command line, wired to the composition root: `fedgate serve` starts the gateway of src/main.ts,
 * imported only then, so every other command (a `credential_process` call of `fedgate credentials` above all)
 * starts without loading the gateway. What bin/fedgate.js runs.
 */
export function runFedgate(argv: readonly string[], io?: CliIo): Promise<number> {
  return runCli(argv, io, {
    startGateway: async (options: StartGatewayOptions): Promise<RunningGateway> =>
      (await import('./main.js')).startGateway(options),
  });
}
