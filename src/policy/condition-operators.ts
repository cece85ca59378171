import { isArnPatternCodes, matchArnGlobCodes, splitArn } from './arn-matching.js';
import {
  bytesEqual,
  cidrContains,
  compareExactDecimal,
  decodeBase64,
  parseCidr,
  parseDateMillis,
  parseExactDecimal,
  parseIpAddress,
  type CidrBlock,
} from './condition-values.js';
import type { EvaluationContext } from './evaluation-context.js';
import { compileGlobCodes, matchGlobCodes, matchStaticGlob } from './glob-pattern.js';
import { PolicyDocumentError } from './policy-document-error.js';
import {
  appendTemplateGlobCodes,
  parseTemplate,
  resolveTemplateText,
  templateGlobCodesScratch,
  templateVariableKeys,
  type Template,
} from './policy-template.js';

type Family = 'string' | 'numeric' | 'date' | 'bool' | 'binary' | 'ip' | 'arn' | 'null';
type Comparison = 'equals' | 'ignoreCase' | 'like' | 'lt' | 'lte' | 'gt' | 'gte';

interface BaseOperator {
  readonly name: string;
  readonly family: Family;
  readonly comparison: Comparison;
  readonly negated: boolean;
}

const BASE_OPERATORS: readonly BaseOperator[] = [
  { name: 'StringEquals', family: 'string', comparison: 'equals', negated: false },
  { name: 'StringNotEquals', family: 'string', comparison: 'equals', negated: true },
  { name: 'StringEqualsIgnoreCase', family: 'string', comparison: 'ignoreCase', negated: false },
  { name: 'StringNotEqualsIgnoreCase', family: 'string', comparison: 'ignoreCase', negated: true },
  { name: 'StringLike', family: 'string', comparison: 'like', negated: false },
  { name: 'StringNotLike', family: 'string', comparison: 'like', negated: true },
  ...(['Numeric', 'Date'] as const).flatMap((prefix) => {
    const family = prefix === 'Numeric' ? 'numeric' : 'date';
    return [
      { name: `${prefix}Equals`, family, comparison: 'equals', negated: false },
      { name: `${prefix}NotEquals`, family, comparison: 'equals', negated: true },
      { name: `${prefix}LessThan`, family, comparison: 'lt', negated: false },
      { name: `${prefix}LessThanEquals`, family, comparison: 'lte', negated: false },
      { name: `${prefix}GreaterThan`, family, comparison: 'gt', negated: false },
      { name: `${prefix}GreaterThanEquals`, family, comparison: 'gte', negated: false },
    ] satisfies BaseOperator[];
  }),
  { name: 'Bool', family: 'bool', comparison: 'equals', negated: false },
  { name: 'BinaryEquals', family: 'binary', comparison: 'equals', negated: false },
  { name: 'IpAddress', family: 'ip', comparison: 'equals', negated: false },
  { name: 'NotIpAddress', family: 'ip', comparison: 'equals', negated: true },
  { name: 'ArnEquals', family: 'arn', comparison: 'like', negated: false },
  { name: 'ArnLike', family: 'arn', comparison: 'like', negated: false },
  { name: 'ArnNotEquals', family: 'arn', comparison: 'like', negated: true },
  { name: 'ArnNotLike', family: 'arn', comparison: 'like', negated: true },
  { name: 'Null', family: 'null', comparison: 'equals', negated: false },
];

const BY_LOWER_NAME = new Map(BASE_OPERATORS.map((op) => [op.name.toLowerCase(), op]));

/** Canonical names of every base condition operator (without set prefix or IfExists). */
export const CONDITION_OPERATOR_NAMES: readonly string[] = BASE_OPERATORS.map((op) => op.name);

/** Set prefix of an operator: none, `ForAllValues:` or `ForAnyValue:`. */
export const SetOperator = { None: 0, ForAllValues: 1, ForAnyValue: 2 } as const;
/** One of SetOperator's values. */
export type SetOperator = (typeof SetOperator)[keyof typeof SetOperator];

/** A parsed operator name such as `ForAnyValue:StringLikeIfExists`. */
export interface ParsedOperator {
  readonly canonical: string;
  readonly base: BaseOperator;
  readonly set: SetOperator;
  readonly ifExists: boolean;
}

/** Parses an operator name (case-insensitive); undefined when unknown or `Null…IfExists`. */
export function parseOperatorName(name: string): ParsedOperator | undefined {
  let rest = name;
  let set: SetOperator = SetOperator.None;
  const lower = name.toLowerCase();
  if (lower.startsWith('forallvalues:')) {
    set = SetOperator.ForAllValues;
    rest = name.slice('forallvalues:'.length);
  } else if (lower.startsWith('foranyvalue:')) {
    set = SetOperator.ForAnyValue;
    rest = name.slice('foranyvalue:'.length);
  }
  let ifExists = false;
  if (rest.toLowerCase().endsWith('ifexists')) {
    ifExists = true;
    rest = rest.slice(0, -'ifexists'.length);
  }
  const base = BY_LOWER_NAME.get(rest.toLowerCase());
  if (base === undefined || (ifExists && base.family === 'null')) return undefined;
  const prefix =
    set === SetOperator.ForAllValues
      ? 'ForAllValues:'
      : set === SetOperator.ForAnyValue
        ? 'ForAnyValue:'
        : '';
  return { canonical: `${prefix}${base.name}${ifExists ? 'IfExists' : ''}`, base, set, ifExists };
}

/** Whether a variable is substituted in this operator's values (String, Arn and Bool; literal elsewhere). */
export function operatorTakesVariables(op: ParsedOperator): boolean {
  return op.base.family === 'string' || op.base.family === 'arn' || op.base.family === 'bool';
}

/** A compiled `"<operator>": {"<key>": values}` entry: one key under one operator. */
export interface CompiledCondition {
  readonly operator: string;
  readonly key: string;
  readonly keyLower: string;
  readonly set: SetOperator;
  readonly ifExists: boolean;
  readonly negated: boolean;
  /** For Null: the wanted absences (`"true"` → absent); undefined for the other operators. */
  readonly nullWants: readonly boolean[] | undefined;
  /** 1 when some policy value matches the context value, 0 when none, -1 when the context value has the wrong type. */
  readonly test: (value: string, context: EvaluationContext) => 1 | 0 | -1;
  /** Keys of variables used in the values. */
  readonly variableKeys: readonly string[];
}

/** Text of a JSON scalar policy value (strings, numbers incl. exact big numbers, booleans); undefined otherwise. */
export function policyValueText(raw: unknown): string | undefined {
  if (typeof raw === 'string') return raw;
  if (typeof raw === 'number') return Number.isFinite(raw) ? String(raw) : undefined;
  if (typeof raw === 'boolean') return raw ? 'true' : 'false';
  if (typeof raw === 'object' && raw !== null && 'text' in raw && typeof raw.text === 'string')
    return raw.text;
  return undefined;
}

/** Compiles one key's values under an operator, rejecting values of the wrong type with their path. */
export function compileCondition(
  op: ParsedOperator,
  key: string,
  values: readonly { text: string; path: string }[],
  variables: boolean,
): CompiledCondition {
  const family = op.base.family;
  const comparison = op.base.comparison;
  const useVariables = variables && operatorTakesVariables(op);
  const variableKeys: string[] = [];
  const fail = (path: string, expected: string): never => {
    throw new PolicyDocumentError(path, 'InvalidConditionValue', `${op.canonical} needs ${expected}`);
  };
  const templates = (): Template[] =>
    values.map(({ text, path }) => {
      const t = parseTemplate(text, path, useVariables);
      variableKeys.push(...templateVariableKeys(t));
      return t;
    });
  let test: CompiledCondition['test'];
  let nullWants: boolean[] | undefined;

  switch (family) {
    case 'string': {
      const ts = templates();
      if (comparison === 'like') {
        const globs = ts.map((t) => {
          if (t.hasVariables) return t;
          const codes: number[] = [];
          appendTemplateGlobCodes(t, undefined, codes);
          return compileGlobCodes(codes);
        });
        test = (value, context) => {
          for (const g of globs) {
            if ('kind' in g) {
              if (matchStaticGlob(g, value)) return 1;
            } else {
              const codes = templateGlobCodesScratch(g, context);
              if (codes !== undefined && matchGlobCodes(codes, value)) return 1;
            }
          }
          return 0;
        };
      } else {
        const ignoreCase = comparison === 'ignoreCase';
        const statics = ts.map((t) => (t.hasVariables ? undefined : literalText(t, ignoreCase)));
        test = (value, context) => {
          const v = ignoreCase ? value.toLowerCase() : value;
          for (let i = 0; i < ts.length; i++) {
            let expected = statics[i];
            if (expected === undefined) {
              const resolved = resolveTemplateText(ts[i] as Template, context);
              if (resolved === undefined) continue;
              expected = ignoreCase ? resolved.toLowerCase() : resolved;
            }
            if (expected === v) return 1;
          }
          return 0;
        };
      }
      break;
    }
    case 'arn': {
      const ts = templates();
      const statics = ts.map((t) => {
        if (t.hasVariables) return undefined;
        const codes: number[] = [];
        appendTemplateGlobCodes(t, undefined, codes);
        return codes;
      });
      // fedgate's wrong-type rule: a value or a pattern that is not an ARN makes the condition false,
      // negated operators included (-1), rather than "matches none" (which a negated operator turns into true).
      test = (value, context) => {
        if (splitArn(value) === undefined) return -1;
        let result: 1 | 0 | -1 = 0;
        for (let i = 0; i < ts.length; i++) {
          const codes = statics[i] ?? templateGlobCodesScratch(ts[i] as Template, context);
          if (codes === undefined) continue;
          if (!isArnPatternCodes(codes)) return -1;
          if (matchArnGlobCodes(codes, value)) result = 1;
        }
        return result;
      };
      break;
    }
    case 'bool': {
      const ts = templates();
      for (const [i, t] of ts.entries()) {
        if (!t.hasVariables && !isBoolText(t.source))
          fail((values[i] as { path: string }).path, '"true" or "false"');
      }
      test = (value, context) => {
        const v = value.toLowerCase();
        if (v !== 'true' && v !== 'false') return -1;
        for (const t of ts) {
          const resolved = t.hasVariables ? resolveTemplateText(t, context) : t.source;
          if (resolved !== undefined && resolved.toLowerCase() === v) return 1;
        }
        return 0;
      };
      break;
    }
    case 'numeric': {
      const nums = values.map(({ text, path }) => parseExactDecimal(text) ?? fail(path, 'a number'));
      test = (value) => {
        const v = parseExactDecimal(value);
        if (v === undefined) return -1;
        for (const n of nums) if (compareWith(comparison, compareExactDecimal(v, n))) return 1;
        return 0;
      };
      break;
    }
    case 'date': {
      const dates = values.map(
        ({ text, path }) => parseDateMillis(text) ?? fail(path, 'an ISO 8601 date or epoch seconds'),
      );
      test = (value) => {
        const v = parseDateMillis(value);
        if (v === undefined) return -1;
        for (const d of dates) if (compareWith(comparison, v < d ? -1 : v > d ? 1 : 0)) return 1;
        return 0;
      };
      break;
    }
    case 'binary': {
      const blobs = values.map(({ text, path }) => decodeBase64(text) ?? fail(path, 'a base64 value'));
      test = (value) => {
        const v = decodeBase64(value);
        if (v === undefined) return -1;
        for (const b of blobs) if (bytesEqual(v, b)) return 1;
        return 0;
      };
      break;
    }
    case 'ip': {
      const blocks: CidrBlock[] = values.map(
        ({ text, path }) => parseCidr(text) ?? fail(path, 'an IPv4/IPv6 address or CIDR'),
      );
      test = (value) => {
        const address = parseIpAddress(value);
        if (address === undefined) return -1;
        for (const b of blocks) if (cidrContains(b, address)) return 1;
        return 0;
      };
      break;
    }
    case 'null': {
      nullWants = values.map(({ text, path }) => {
        const lower = text.toLowerCase();
        if (lower !== 'true' && lower !== 'false') fail(path, '"true" (key absent) or "false" (key present)');
        return lower === 'true';
      });
      test = () => 0;
      break;
    }
  }
  return {
    operator: op.canonical,
    key,
    keyLower: key.toLowerCase(),
    set: op.set,
    ifExists: op.ifExists,
    negated: op.base.negated,
    nullWants,
    test,
    variableKeys,
  };
}

function literalText(t: Template, lowerCase: boolean): string {
  let out = '';
  for (const part of t.parts) if (part.kind !== 'variable') out += part.text;
  return lowerCase ? out.toLowerCase() : out;
}

function isBoolText(text: string): boolean {
  const lower = text.toLowerCase();
  return lower === 'true' || lower === 'false';
}

function compareWith(comparison: Comparison, order: number): boolean {
  switch (comparison) {
    case 'lt':
      return order < 0;
    case 'lte':
      return order <= 0;
    case 'gt':
      return order > 0;
    case 'gte':
      return order >= 0;
    default:
      return order === 0;
  }
}

/**
 * Evaluates one compiled condition against the context, with IAM's rules: missing key → IfExists true,
 * ForAllValues true, ForAnyValue false, negated true, positive false; negated operators NOR their values;
 * a single-valued operator never matches a multi-valued context value; a wrongly typed value → false.
 */
export function evaluateCondition(condition: CompiledCondition, context: EvaluationContext): boolean {
  const value = context.get(condition.keyLower);
  const nullWants = condition.nullWants;
  if (nullWants !== undefined) {
    // Access Analyzer, "Null with qualifier": with ForAllValues the condition always returns true, with
    // ForAnyValue always false.
    if (condition.set === SetOperator.ForAllValues) return true;
    if (condition.set === SetOperator.ForAnyValue) return false;
    const absent = value === undefined;
    for (const want of nullWants) if (want === absent) return true;
    return false;
  }
  if (value === undefined) {
    // ForAnyValue wins over IfExists: there is no value of which "any" could match (issue 13, rule 5).
    if (condition.set === SetOperator.ForAnyValue) return false;
    if (condition.ifExists || condition.set === SetOperator.ForAllValues) return true;
    return condition.negated;
  }
  const negated = condition.negated;
  if (condition.set === SetOperator.None) {
    if (typeof value !== 'string') return false;
    const r = condition.test(value, context);
    if (r < 0) return false;
    return negated ? r === 0 : r === 1;
  }
  const list: readonly string[] = typeof value === 'string' ? [value] : value;
  if (condition.set === SetOperator.ForAllValues) {
    for (const item of list) {
      const r = condition.test(item, context);
      if (r < 0 || (negated ? r === 1 : r === 0)) return false;
    }
    return true;
  }
  for (const item of list) {
    const r = condition.test(item, context);
    if (r >= 0 && (negated ? r === 0 : r === 1)) return true;
  }
  return false;
}
