/**
 * Runs the fedgate command line from the TypeScript sources: tests spawn it with `node --import tsx`, and so do
 * programs the tests drive (the AWS CLI's `credential_process`).
 */
import { runFedgate } from '../../src/run-fedgate.js';

process.exitCode = await runFedgate(process.argv.slice(2));
