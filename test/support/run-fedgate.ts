/** Runs the fedgate command line from the TypeScript sources (tests spawn it with `node --import tsx`). */
import { runCli } from '../../src/cli/run-cli.js';

process.exitCode = await runCli(process.argv.slice(2));
