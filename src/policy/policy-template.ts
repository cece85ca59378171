import type { EvaluationContext } from './evaluation-context.js';
import { GLOB_ONE, GLOB_STAR } from './glob-pattern.js';
import { PolicyDocumentError } from './policy-document-error.js';

/** A piece of a policy string: literal policy text (wildcards live), an escape (always literal), or a variable. */
export type TemplatePart =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'escape'; readonly text: string }
  | {
      readonly kind: 'variable';
      readonly key: string;
      readonly keyLower: string;
      readonly fallback: string | undefined;
    };

/** A policy string pre-split into literal text, escapes and `${key, 'default'}` variables. */
export interface Template {
  readonly source: string;
  readonly parts: readonly TemplatePart[];
  readonly hasVariables: boolean;
}

/**
 * Splits a policy string into parts. With `variables` false (Version 2008-10-17 or none) `${…}` is literal
 * text, as IAM documents; otherwise a malformed variable is a grammar error at `path`.
 */
export function parseTemplate(source: string, path: string, variables: boolean): Template {
  if (!variables || !source.includes('${')) {
    return { source, parts: source === '' ? [] : [{ kind: 'text', text: source }], hasVariables: false };
  }
  const parts: TemplatePart[] = [];
  let hasVariables = false;
  let textStart = 0;
  let i = 0;
  while (i < source.length) {
    if (source.charCodeAt(i) !== 0x24 || source.charCodeAt(i + 1) !== 0x7b) {
      i++;
      continue;
    }
    if (i > textStart) parts.push({ kind: 'text', text: source.slice(textStart, i) });
    const close = source.indexOf('}', i + 2);
    if (close < 0) throw new PolicyDocumentError(path, 'MissingBraceInVariable', 'a "${" has no closing "}"');
    const inner = source.slice(i + 2, close);
    if (inner === '*' || inner === '?' || inner === '$') {
      parts.push({ kind: 'escape', text: inner });
      i = close + 1;
    } else {
      const { part, end } = parseVariable(source, i + 2, path);
      parts.push(part);
      hasVariables = true;
      i = end;
    }
    textStart = i;
  }
  if (textStart < source.length) parts.push({ kind: 'text', text: source.slice(textStart) });
  return { source, parts, hasVariables };
}

function parseVariable(source: string, start: number, path: string): { part: TemplatePart; end: number } {
  let i = start;
  while (i < source.length && source[i] !== '}' && source[i] !== ',') i++;
  const key = source.slice(start, i);
  if (key.trim() === '')
    throw new PolicyDocumentError(path, 'EmptyVariable', 'a variable "${}" names no key');
  if (/\s/.test(key)) {
    throw new PolicyDocumentError(
      path,
      'UnsupportedSpaceInVariable',
      `variable "\${${key}}" contains a space`,
    );
  }
  if (source[i] === '}') {
    return { part: { kind: 'variable', key, keyLower: key.toLowerCase(), fallback: undefined }, end: i + 1 };
  }
  i++; // the comma
  while (source[i] === ' ') i++;
  if (source[i] !== "'") {
    throw new PolicyDocumentError(
      path,
      'MissingQuoteInVariable',
      `the default of "\${${key}, …}" must be in single quotes`,
    );
  }
  const quoteEnd = source.indexOf("'", i + 1);
  if (quoteEnd < 0) {
    throw new PolicyDocumentError(
      path,
      'MissingQuoteInVariable',
      `the default of "\${${key}, …}" has no closing quote`,
    );
  }
  const fallback = source.slice(i + 1, quoteEnd);
  i = quoteEnd + 1;
  while (source[i] === ' ') i++;
  if (source[i] !== '}')
    throw new PolicyDocumentError(path, 'MissingBraceInVariable', `variable "\${${key}, …}" is not closed`);
  return { part: { kind: 'variable', key, keyLower: key.toLowerCase(), fallback }, end: i + 1 };
}

/** The value of a variable: its single context value, else its default; undefined when neither (or multi-valued). */
export function resolveVariable(
  part: { readonly keyLower: string; readonly fallback: string | undefined },
  context: EvaluationContext,
): string | undefined {
  const value = context.get(part.keyLower);
  if (typeof value === 'string') return value;
  // A multi-valued key cannot be a variable: the statement part does not match (IAM behaviour).
  if (value !== undefined) return undefined;
  return part.fallback;
}

/** The template as plain text with variables substituted; undefined when a variable has no value. */
export function resolveTemplateText(template: Template, context: EvaluationContext): string | undefined {
  let out = '';
  for (const part of template.parts) {
    if (part.kind === 'variable') {
      const value = resolveVariable(part, context);
      if (value === undefined) return undefined;
      out += value;
    } else {
      out += part.text;
    }
  }
  return out;
}

/**
 * Appends the template's glob codes to `out`: policy text keeps `*`/`?` as wildcards; escapes and
 * substituted values are literal. Returns false when a variable has no value.
 */
export function appendTemplateGlobCodes(
  template: Template,
  context: EvaluationContext | undefined,
  out: number[],
  lowerCase = false,
): boolean {
  for (const part of template.parts) {
    if (part.kind === 'text') {
      pushCodes(lowerCase ? part.text.toLowerCase() : part.text, true, out);
    } else if (part.kind === 'escape') {
      pushCodes(part.text, false, out);
    } else {
      if (context === undefined) return false;
      const value = resolveVariable(part, context);
      if (value === undefined) return false;
      pushCodes(lowerCase ? value.toLowerCase() : value, false, out);
    }
  }
  return true;
}

function pushCodes(text: string, wildcards: boolean, out: number[]): void {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    out.push(wildcards && c === 0x2a ? GLOB_STAR : wildcards && c === 0x3f ? GLOB_ONE : c);
  }
}

// Reused buffer for per-request glob codes: matching is synchronous, so one buffer serves every caller.
const scratch: number[] = [];

/** The template's glob codes in a shared buffer (valid until the next call); undefined when a variable has no value. */
export function templateGlobCodesScratch(
  template: Template,
  context: EvaluationContext,
): number[] | undefined {
  scratch.length = 0;
  return appendTemplateGlobCodes(template, context, scratch) ? scratch : undefined;
}

/** Keys of the variables in a template, as written. */
export function templateVariableKeys(template: Template): string[] {
  const keys: string[] = [];
  for (const part of template.parts) if (part.kind === 'variable') keys.push(part.key);
  return keys;
}
