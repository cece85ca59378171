import { FedgateError } from '../errors/index.js';
import type { ContextInput } from './policy-types.js';

/** A context value as the engine sees it: text, or a list of texts for multi-valued keys. */
export type ResolvedContextValue = string | readonly string[];

/** A request context prepared once: keys lower-cased, values turned to text; reuse it across decisions. */
export class EvaluationContext {
  readonly #values: ReadonlyMap<string, ResolvedContextValue>;

  /** Use `prepareContext`; this constructor trusts its map (lower-case keys). */
  constructor(values: ReadonlyMap<string, ResolvedContextValue>) {
    this.#values = values;
  }

  /** The value of a lower-cased key, or undefined when absent. */
  get(keyLower: string): ResolvedContextValue | undefined {
    return this.#values.get(keyLower);
  }

  /** True when the lower-cased key is present (even with an empty string or empty list). */
  has(keyLower: string): boolean {
    return this.#values.has(keyLower);
  }

  /** Lower-cased keys present. */
  keys(): IterableIterator<string> {
    return this.#values.keys();
  }
}

/**
 * Prepares a caller's context: keys become case-insensitive, booleans "true"/"false", numbers their decimal
 * text; undefined values are absent. Two keys equal up to case are a ValidationError (which one wins would
 * otherwise be an accident of ordering).
 */
export function prepareContext(input: ContextInput | EvaluationContext): EvaluationContext {
  if (input instanceof EvaluationContext) return input;
  const values = new Map<string, ResolvedContextValue>();
  for (const key of Object.keys(input)) {
    const raw = input[key];
    if (raw === undefined) continue;
    const lower = key.toLowerCase();
    if (values.has(lower)) {
      throw new FedgateError(
        'ValidationError',
        `context key "${key}" is given twice (keys are case-insensitive)`,
      );
    }
    values.set(lower, contextValueText(raw, key));
  }
  return new EvaluationContext(values);
}

function contextValueText(raw: unknown, key: string): ResolvedContextValue {
  if (typeof raw === 'string') return raw;
  if (typeof raw === 'boolean') return raw ? 'true' : 'false';
  if (typeof raw === 'number') return String(raw);
  if (Array.isArray(raw)) return Object.freeze(raw.map((item: unknown) => scalarText(item, key)));
  return scalarText(raw, key);
}

function scalarText(raw: unknown, key: string): string {
  if (typeof raw === 'string') return raw;
  if (typeof raw === 'boolean') return raw ? 'true' : 'false';
  if (typeof raw === 'number') return String(raw);
  // JsonNumber and similar exact-number holders stringify to their literal.
  if (typeof raw === 'object' && raw !== null && 'text' in raw && typeof raw.text === 'string')
    return raw.text;
  throw new FedgateError(
    'ValidationError',
    `context key "${key}" has a value that is not a string, number or boolean`,
  );
}
