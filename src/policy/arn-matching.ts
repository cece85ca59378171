import { prepareContext, type EvaluationContext } from './evaluation-context.js';
import {
  GLOB_STAR,
  compileGlobCodes,
  matchGlobCodes,
  matchStaticGlob,
  type StaticGlob,
} from './glob-pattern.js';
import { PolicyDocumentError } from './policy-document-error.js';
import {
  appendTemplateGlobCodes,
  parseTemplate,
  templateGlobCodesScratch,
  type Template,
  type TemplatePart,
} from './policy-template.js';

/** An ARN split into its 6 colon-separated parts; positions into `text` so matching never slices. */
export interface ArnBounds {
  readonly text: string;
  /** Positions of the first five colons; part 5 (the resource part) runs to the end and may contain colons. */
  readonly colons: readonly number[];
}

/** Splits at the first five colons; undefined when the text is not an ARN of 6 parts. */
export function splitArn(text: string): ArnBounds | undefined {
  const c0 = text.indexOf(':');
  if (c0 < 0) return undefined;
  const c1 = text.indexOf(':', c0 + 1);
  if (c1 < 0) return undefined;
  const c2 = text.indexOf(':', c1 + 1);
  if (c2 < 0) return undefined;
  const c3 = text.indexOf(':', c2 + 1);
  if (c3 < 0) return undefined;
  const c4 = text.indexOf(':', c3 + 1);
  if (c4 < 0) return undefined;
  return { text, colons: [c0, c1, c2, c3, c4] };
}

/** Start of part `i` (0…5). */
export function partStart(arn: ArnBounds, i: number): number {
  return i === 0 ? 0 : (arn.colons[i - 1] as number) + 1;
}

/** End (exclusive) of part `i` (0…5). */
export function partEnd(arn: ArnBounds, i: number): number {
  return i === 5 ? arn.text.length : (arn.colons[i] as number);
}

/** A request's resource prepared once: partition, service, region and account lower-cased (IAM matches them so). */
export interface PreparedResource {
  readonly raw: string;
  readonly arn: ArnBounds | undefined;
}

/** Prepares a request resource for matching against compiled Resource patterns. */
export function prepareResource(raw: string): PreparedResource {
  const split = splitArn(raw);
  if (split === undefined) return { raw, arn: undefined };
  const cut = partStart(split, 5);
  const head = raw.slice(0, cut);
  const lower = head.toLowerCase();
  return { raw, arn: lower === head ? split : splitArn(lower + raw.slice(cut)) };
}

/** A compiled Resource/NotResource entry. */
export interface ResourcePattern {
  readonly source: string;
  /** `"*"`: every resource, ARN or not. */
  readonly any: boolean;
  /** Globs of parts 0..4, lower-cased. */
  readonly head: readonly StaticGlob[];
  /** The resource part: a static glob, or a template resolved per request (variables). */
  readonly tail: StaticGlob | Template;
}

/**
 * Compiles a Resource entry: `*`, or `arn:partition:service:region:account:resource` with `*`/`?` inside
 * parts (a short ARN ending in `*`, like `arn:fedgate:*`, is padded with `*` parts). Variables are allowed
 * only in the resource part.
 */
export function compileResourcePattern(source: string, path: string, variables: boolean): ResourcePattern {
  if (source === '*') return { source, any: true, head: [], tail: { kind: 'any' } };
  const template = parseTemplate(source, path, variables);
  const parts = splitTemplateParts(template.parts);
  if (parts.length < 6) {
    const last = parts[parts.length - 1];
    const lastText = last?.[last.length - 1];
    if (lastText?.kind === 'text' && lastText.text.endsWith('*')) {
      while (parts.length < 6) parts.push([{ kind: 'text', text: '*' }]);
    } else {
      throw new PolicyDocumentError(
        path,
        'InvalidResource',
        'a resource must be "*" or an ARN "arn:partition:service:region:account:resource"',
      );
    }
  }
  const head: StaticGlob[] = [];
  for (let i = 0; i < 5; i++) {
    const segment = parts[i] ?? [];
    if (segment.some((p) => p.kind === 'variable')) {
      throw new PolicyDocumentError(
        path,
        'VariableUnsupportedInElement',
        'policy variables are only allowed in the resource part of an ARN (after the fifth colon)',
      );
    }
    const codes: number[] = [];
    appendTemplateGlobCodes({ source: '', parts: segment, hasVariables: false }, undefined, codes, true);
    head.push(compileGlobCodes(codes));
  }
  const first = head[0];
  if (first === undefined || first.kind !== 'exact' || first.text !== 'arn') {
    throw new PolicyDocumentError(path, 'InvalidResource', 'an ARN must start with "arn:"');
  }
  const tailParts = parts[5] ?? [];
  const tailTemplate: Template = {
    source,
    parts: tailParts,
    hasVariables: tailParts.some((p) => p.kind === 'variable'),
  };
  let tail: StaticGlob | Template = tailTemplate;
  if (!tailTemplate.hasVariables) {
    const codes: number[] = [];
    appendTemplateGlobCodes(tailTemplate, undefined, codes);
    tail = compileGlobCodes(codes);
  }
  return { source, any: false, head, tail };
}

/** Result of matching a resource pattern: matched, not matched, or a variable without a value. */
export const PatternMatch = { No: 0, Yes: 1, Unresolved: 2 } as const;
/** One of PatternMatch's values. */
export type PatternMatch = (typeof PatternMatch)[keyof typeof PatternMatch];

/** Matches a compiled Resource entry against a prepared request resource. */
export function matchResourcePattern(
  pattern: ResourcePattern,
  resource: PreparedResource,
  context: EvaluationContext,
): PatternMatch {
  if (pattern.any) return PatternMatch.Yes;
  const arn = resource.arn;
  if (arn === undefined) return PatternMatch.No;
  const text = arn.text;
  for (let i = 0; i < 5; i++) {
    if (!matchStaticGlob(pattern.head[i] as StaticGlob, text, partStart(arn, i), partEnd(arn, i)))
      return PatternMatch.No;
  }
  const tail = pattern.tail;
  const start = partStart(arn, 5);
  if ('kind' in tail)
    return matchStaticGlob(tail, text, start, text.length) ? PatternMatch.Yes : PatternMatch.No;
  const codes = templateGlobCodesScratch(tail, context);
  if (codes === undefined) return PatternMatch.Unresolved;
  return matchGlobCodes(codes, text, start, text.length) ? PatternMatch.Yes : PatternMatch.No;
}

/** Splits template parts at the first five colons of literal text (colons inside variables do not split). */
function splitTemplateParts(parts: readonly TemplatePart[]): TemplatePart[][] {
  const out: TemplatePart[][] = [[]];
  for (const part of parts) {
    if (part.kind !== 'text') {
      (out[out.length - 1] as TemplatePart[]).push(part);
      continue;
    }
    let rest = part.text;
    let colon = rest.indexOf(':');
    while (colon >= 0 && out.length < 6) {
      if (colon > 0)
        (out[out.length - 1] as TemplatePart[]).push({ kind: 'text', text: rest.slice(0, colon) });
      out.push([]);
      rest = rest.slice(colon + 1);
      colon = rest.indexOf(':');
    }
    if (rest !== '') (out[out.length - 1] as TemplatePart[]).push({ kind: 'text', text: rest });
  }
  return out;
}

/**
 * Segment-aware ARN glob (ArnLike/ArnEquals): each of the 6 parts matched separately, so `*` never spans a
 * colon before the resource part. `codes` is the resolved pattern (wildcards + literal codes).
 */
export function matchArnGlobCodes(codes: readonly number[], value: string): boolean {
  const arn = splitArn(value);
  if (arn === undefined) return false;
  let start = 0;
  for (let i = 0; i < 5; i++) {
    let colon = start;
    while (colon < codes.length && codes[colon] !== 0x3a) colon++;
    if (colon >= codes.length) {
      // A short pattern ending in `*` stands for `*` in every remaining part.
      if (colon > start && codes[colon - 1] === GLOB_STAR) {
        return matchGlobCodes(codes, value, partStart(arn, i), partEnd(arn, i), start, colon);
      }
      return false;
    }
    if (!matchGlobCodes(codes, value, partStart(arn, i), partEnd(arn, i), start, colon)) return false;
    start = colon + 1;
  }
  return matchGlobCodes(codes, value, partStart(arn, 5), value.length, start, codes.length);
}

/**
 * Whether resolved ARN-operator pattern codes have the form of an ARN: five colons (six parts), or a short
 * pattern whose last part ends in `*` (which stands for the remaining parts, as `matchArnGlobCodes` reads it).
 */
export function isArnPatternCodes(codes: readonly number[]): boolean {
  let colons = 0;
  for (let i = 0; i < codes.length && colons < 5; i++) if (codes[i] === 0x3a) colons++;
  if (colons >= 5) return true;
  return codes.length > 0 && codes[codes.length - 1] === GLOB_STAR;
}

const NO_VARIABLES = prepareContext({});

/**
 * A Resource-element matcher outside policies (configured resource patterns that select resource tags and
 * resource policies): the same compilation and matching as a `Resource` entry, without policy variables.
 */
export function compileArnGlob(source: string): { readonly source: string; matches(arn: string): boolean } {
  const pattern = compileResourcePattern(source, '', false);
  return {
    source,
    matches: (arn) => matchResourcePattern(pattern, prepareResource(arn), NO_VARIABLES) === PatternMatch.Yes,
  };
}
