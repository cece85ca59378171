#!/usr/bin/env node
import { runFedgate } from '../dist/run-fedgate.js';

process.exitCode = await runFedgate(process.argv.slice(2));
