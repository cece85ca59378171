import { readFileSync } from 'node:fs';

/**
 * fedgate's version, from its package.json (two levels up from both `src/cli/` and `dist/cli/`), read once
 * when the command line starts.
 */
export const FEDGATE_VERSION: string = readVersion();

function readVersion(): string {
  try {
    const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
    const version = (JSON.parse(text) as { version?: unknown }).version;
    return typeof version === 'string' ? version : 'unknown';
  } catch {
    return 'unknown';
  }
}
