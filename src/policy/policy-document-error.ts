import { FedgateError } from '../errors/index.js';

/** A policy document that breaks the grammar: `path` is where (e.g. `Statement[0].Effect`), `rule` which rule. */
export class PolicyDocumentError extends FedgateError {
  readonly path: string;
  readonly rule: string;
  /** The message without the path, for callers that print the path separately. */
  readonly description: string;

  constructor(path: string, rule: string, description: string) {
    super('MalformedPolicyDocument', path === '' ? description : `${path}: ${description}`);
    this.name = 'PolicyDocumentError';
    this.path = path;
    this.rule = rule;
    this.description = description;
  }
}

/** True when `value` is a PolicyDocumentError. */
export function isPolicyDocumentError(value: unknown): value is PolicyDocumentError {
  return value instanceof PolicyDocumentError;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Appends an object key to a JSON path: `.Key` for identifiers, `["aws:username"]` otherwise. */
export function pathWithKey(base: string, key: string): string {
  if (IDENTIFIER.test(key)) return base === '' ? key : `${base}.${key}`;
  return `${base}[${JSON.stringify(key)}]`;
}

/** Appends an array index to a JSON path. */
export function pathWithIndex(base: string, index: number): string {
  return `${base}[${index}]`;
}
