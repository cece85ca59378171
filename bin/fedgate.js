#!/usr/bin/env node
import { runFedgate } from '../dist/main.js';

process.exitCode = await runFedgate(process.argv.slice(2));
