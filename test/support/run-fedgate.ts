/**
 * Runs the fedgate command line from the TypeScript sources: tests spawn it with `node --import tsx`, and so do
 * programs the tests drive (the AWS CLI's `credential_process`).
 */
import { runCli } from '../../src/cli/run-cli.js';

process.exitCode = await runCli(process.argv.slice(2));
