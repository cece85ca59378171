/**
 * The `fedgate` command run from TypeScript sources, for tests where another program (the AWS CLI's
 * `credential_process`) starts fedgate as a child process: `node --import tsx test/support/fedgate-cli-entry.ts …`.
 */
import { runCli } from '../../src/cli/run-cli.js';

process.exitCode = await runCli(process.argv.slice(2));
