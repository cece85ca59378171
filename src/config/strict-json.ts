import { isPolicyDocumentError, parseJsonText } from '../policy/index.js';

/** JSON text parsed, or why not (with the JSON path and line/column of the problem). */
export type StrictJsonResult = { ok: true; value: unknown } | { ok: false; message: string };

/**
 * Every JSON the configuration holds (a `.json` config file, `{ file: x.json }` references, policy documents
 * written as JSON strings) goes through the policy engine's strict parser: duplicate keys are an error, where
 * `JSON.parse` would keep the last and silently turn a Deny into an Allow.
 */
export function parseStrictJson(text: string): StrictJsonResult {
  try {
    return { ok: true, value: parseJsonText(text) };
  } catch (error) {
    if (!isPolicyDocumentError(error)) throw error;
    return {
      ok: false,
      message: error.path === '' ? error.description : `${error.path}: ${error.description}`,
    };
  }
}
