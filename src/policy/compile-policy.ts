import { compileResourcePattern, type ResourcePattern } from './arn-matching.js';
import {
  compileCondition,
  parseOperatorName,
  policyValueText,
  type CompiledCondition,
} from './condition-operators.js';
import { compileGlob, type StaticGlob } from './glob-pattern.js';
import { PolicyDocumentError, pathWithIndex, pathWithKey } from './policy-document-error.js';
import { policySize } from './policy-size.js';
import type { MatchedStatement, PolicyKind } from './policy-types.js';
import { compilePrincipal, type PrincipalMatcher } from './principal-matching.js';
import { parseJsonText } from './strict-json-parser.js';

/** The policy language versions; only 2012-10-17 substitutes variables. */
export type PolicyVersion = '2012-10-17' | '2008-10-17';

/** One statement, compiled: matchers prepared, variables pre-split. */
export interface CompiledStatement {
  readonly policy: string;
  readonly index: number;
  readonly sid: string | undefined;
  readonly effect: 'Allow' | 'Deny';
  /** Lower-cased action globs. */
  readonly actions: readonly StaticGlob[];
  readonly notAction: boolean;
  /** Undefined in trust policies (no Resource element). */
  readonly resources: readonly ResourcePattern[] | undefined;
  readonly notResource: boolean;
  readonly principal: PrincipalMatcher | undefined;
  readonly notPrincipal: boolean;
  readonly conditions: readonly CompiledCondition[];
  /** Context keys its conditions and variables use (as first written; lower-cased alongside). */
  readonly referencedKeys: readonly string[];
  readonly referencedKeysLower: readonly string[];
  /** The MatchedStatement reported when it decides (prepared so deciding does not allocate it). */
  readonly matched: MatchedStatement;
  /** Evaluation pass that last visited it: de-duplicates index hits without allocating a set. */
  visited: number;
}

/** Statements of one policy indexed by action service and name, so a decision visits only candidates. */
export interface ActionIndex {
  /** Statements whose action may match any service: `*`, wildcard services, NotAction. */
  readonly anyService: readonly CompiledStatement[];
  readonly byService: ReadonlyMap<string, ServiceBucket>;
}

/** Candidates of one service: exact lower-cased action names, and name patterns with wildcards. */
export interface ServiceBucket {
  readonly exact: ReadonlyMap<string, readonly CompiledStatement[]>;
  readonly patterns: readonly CompiledStatement[];
}

/** A parsed, compiled and indexed policy document. */
export interface CompiledPolicy {
  readonly name: string;
  readonly kind: PolicyKind;
  readonly version: PolicyVersion;
  readonly statements: readonly CompiledStatement[];
  readonly index: ActionIndex;
  /** Every context key the policy's conditions and variables use. */
  readonly referencedKeys: readonly string[];
  /** The document in normal form (lists everywhere, canonical operator names), for re-serialising. */
  readonly document: NormalizedPolicyDocument;
}

/** A policy document in normal form. */
export interface NormalizedPolicyDocument {
  readonly Version?: PolicyVersion;
  readonly Id?: string;
  readonly Statement: readonly Record<string, unknown>[];
}

/** Options of parsePolicy: the name reported in decisions, the kind, and an optional size cap. */
export interface ParsePolicyOptions {
  readonly name: string;
  readonly kind: PolicyKind;
  /** Maximum size in characters, whitespace not counted (SPEC 7.1: 6,144 managed, 2,048 session). */
  readonly maxSize?: number;
}

const POLICY_KINDS: readonly PolicyKind[] = [
  'identity',
  'boundary',
  'session',
  'guardrail',
  'resource',
  'trust',
];
const TOP_LEVEL_KEYS = new Set(['Version', 'Id', 'Statement']);
const STATEMENT_KEYS = new Set([
  'Sid',
  'Effect',
  'Principal',
  'NotPrincipal',
  'Action',
  'NotAction',
  'Resource',
  'NotResource',
  'Condition',
]);
const ACTION_PATTERN = /^(?:\*|[A-Za-z0-9_*?-]+:[A-Za-z0-9_.*?-]+)$/;

/** Parses and compiles a policy document; throws PolicyDocumentError with the path of the first error. */
export function parsePolicy(document: unknown, options: ParsePolicyOptions): CompiledPolicy {
  if (!POLICY_KINDS.includes(options.kind))
    throw new TypeError(`unknown policy kind ${String(options.kind)}`);
  if (typeof options.name !== 'string') throw new TypeError('policy name must be a string');
  if (options.maxSize !== undefined) {
    const size = policySize(document);
    if (size > options.maxSize) {
      throw new PolicyDocumentError(
        '',
        'PolicySizeExceeded',
        `the policy has ${size} characters (whitespace not counted); the limit is ${options.maxSize}`,
      );
    }
  }
  return new PolicyCompiler(options.name, options.kind).compile(document);
}

/** Same as parsePolicy from JSON text: duplicate keys are an error, numbers beyond 2^53 stay exact. */
export function parsePolicyText(text: string, options: ParsePolicyOptions): CompiledPolicy {
  if (typeof text !== 'string') throw new TypeError('policy text must be a string');
  const document = parseJsonText(text);
  return parsePolicy(document, options);
}

class PolicyCompiler {
  private version: PolicyVersion = '2008-10-17';
  private readonly sids = new Map<string, string>();

  constructor(
    private readonly name: string,
    private readonly kind: PolicyKind,
  ) {}

  compile(document: unknown): CompiledPolicy {
    const doc = asObject(document, '', 'a policy document must be a JSON object');
    for (const key of Object.keys(doc)) {
      if (!TOP_LEVEL_KEYS.has(key)) {
        throw new PolicyDocumentError(
          pathWithKey('', key),
          'UnknownElement',
          `unknown element "${key}" (Version, Id, Statement)`,
        );
      }
    }
    const normalized: { Version?: PolicyVersion; Id?: string; Statement: Record<string, unknown>[] } = {
      Statement: [],
    };
    if (doc.Version !== undefined) {
      if (doc.Version !== '2012-10-17' && doc.Version !== '2008-10-17') {
        throw new PolicyDocumentError(
          'Version',
          'InvalidVersion',
          'Version must be "2012-10-17" or "2008-10-17"',
        );
      }
      this.version = doc.Version;
      normalized.Version = doc.Version;
    }
    if (doc.Id !== undefined) {
      if (typeof doc.Id !== 'string') throw new PolicyDocumentError('Id', 'InvalidId', 'Id must be a string');
      normalized.Id = doc.Id;
    }
    if (doc.Statement === undefined)
      throw new PolicyDocumentError('Statement', 'MissingStatement', 'a policy needs a Statement');
    const raw = doc.Statement;
    const list = Array.isArray(raw) ? (raw as unknown[]) : [raw];
    if (list.length === 0)
      throw new PolicyDocumentError('Statement', 'EmptyArray', 'Statement must not be empty');
    const statements = list.map((s, i) => {
      const { statement, normal } = this.compileStatement(
        s,
        Array.isArray(raw) ? pathWithIndex('Statement', i) : 'Statement',
        i,
      );
      normalized.Statement.push(normal);
      return statement;
    });
    const referenced = new Map<string, string>();
    for (const s of statements)
      for (const k of s.referencedKeys)
        if (!referenced.has(k.toLowerCase())) referenced.set(k.toLowerCase(), k);
    return {
      name: this.name,
      kind: this.kind,
      version: this.version,
      statements,
      index: buildActionIndex(statements),
      referencedKeys: [...referenced.values()],
      document: normalized,
    };
  }

  private compileStatement(
    raw: unknown,
    path: string,
    index: number,
  ): { statement: CompiledStatement; normal: Record<string, unknown> } {
    const s = asObject(raw, path, 'a statement must be a JSON object');
    for (const key of Object.keys(s)) {
      if (!STATEMENT_KEYS.has(key)) {
        throw new PolicyDocumentError(
          pathWithKey(path, key),
          'UnknownElement',
          `unknown statement element "${key}"`,
        );
      }
    }
    const normal: Record<string, unknown> = {};
    let sid: string | undefined;
    if (s.Sid !== undefined) {
      if (typeof s.Sid !== 'string')
        throw new PolicyDocumentError(pathWithKey(path, 'Sid'), 'InvalidSid', 'Sid must be a string');
      const previous = this.sids.get(s.Sid);
      if (previous !== undefined) {
        throw new PolicyDocumentError(
          pathWithKey(path, 'Sid'),
          'DuplicateSid',
          `Sid "${s.Sid}" is already used at ${previous}`,
        );
      }
      this.sids.set(s.Sid, path);
      sid = s.Sid;
      normal.Sid = sid;
    }
    if (s.Effect === undefined)
      throw new PolicyDocumentError(
        pathWithKey(path, 'Effect'),
        'MissingEffect',
        'a statement needs an Effect',
      );
    if (s.Effect !== 'Allow' && s.Effect !== 'Deny') {
      throw new PolicyDocumentError(
        pathWithKey(path, 'Effect'),
        'InvalidEffect',
        'Effect must be "Allow" or "Deny"',
      );
    }
    const effect = s.Effect;
    normal.Effect = effect;

    const principalKey = this.exclusive(s, path, 'Principal', 'NotPrincipal');
    let principal: PrincipalMatcher | undefined;
    if (this.kind === 'resource' || this.kind === 'trust') {
      if (principalKey === undefined) {
        throw new PolicyDocumentError(
          pathWithKey(path, 'Principal'),
          'MissingPrincipal',
          `a ${this.kind} policy statement needs a Principal`,
        );
      }
      if (this.kind === 'trust' && principalKey === 'NotPrincipal') {
        throw new PolicyDocumentError(
          pathWithKey(path, 'NotPrincipal'),
          'UnsupportedElement',
          'a trust policy cannot use NotPrincipal',
        );
      }
      principal = compilePrincipal(s[principalKey], pathWithKey(path, principalKey));
      normal[principalKey] = s[principalKey];
    } else if (principalKey !== undefined) {
      throw new PolicyDocumentError(
        pathWithKey(path, principalKey),
        'UnsupportedElement',
        `${principalKey} is only allowed in resource and trust policies, not in a ${this.kind} policy`,
      );
    }

    const actionKey = this.exclusive(s, path, 'Action', 'NotAction');
    if (actionKey === undefined)
      throw new PolicyDocumentError(
        pathWithKey(path, 'Action'),
        'MissingAction',
        'a statement needs an Action or NotAction',
      );
    const actionPath = pathWithKey(path, actionKey);
    const actionTexts = stringList(s[actionKey], actionPath, actionKey);
    const actions = actionTexts.map(({ text, path: p }) => {
      if (!ACTION_PATTERN.test(text)) {
        throw new PolicyDocumentError(
          p,
          'InvalidAction',
          `"${clip(text)}" is not an action ("service:Name" with optional * and ?, or "*")`,
        );
      }
      return compileGlob(text.toLowerCase());
    });
    normal[actionKey] = actionTexts.map((a) => a.text);

    const resourceKey = this.exclusive(s, path, 'Resource', 'NotResource');
    let resources: ResourcePattern[] | undefined;
    const variables = this.version === '2012-10-17';
    if (this.kind === 'trust') {
      if (resourceKey !== undefined) {
        throw new PolicyDocumentError(
          pathWithKey(path, resourceKey),
          'UnsupportedElement',
          `a trust policy cannot have ${resourceKey}`,
        );
      }
    } else {
      if (resourceKey === undefined) {
        throw new PolicyDocumentError(
          pathWithKey(path, 'Resource'),
          'MissingResource',
          'a statement needs a Resource or NotResource',
        );
      }
      const resourceTexts = stringList(s[resourceKey], pathWithKey(path, resourceKey), resourceKey);
      resources = resourceTexts.map(({ text, path: p }) => compileResourcePattern(text, p, variables));
      normal[resourceKey] = resourceTexts.map((r) => r.text);
    }

    const conditions: CompiledCondition[] = [];
    if (s.Condition !== undefined)
      normal.Condition = this.compileConditions(s.Condition, pathWithKey(path, 'Condition'), conditions);

    const keys = new Map<string, string>();
    const addKey = (k: string): void => {
      if (!keys.has(k.toLowerCase())) keys.set(k.toLowerCase(), k);
    };
    for (const c of conditions) {
      addKey(c.key);
      c.variableKeys.forEach(addKey);
    }
    for (const r of resources ?? []) {
      if (!('kind' in r.tail))
        for (const part of r.tail.parts) if (part.kind === 'variable') addKey(part.key);
    }
    const matched: MatchedStatement =
      sid === undefined ? { policy: this.name, effect } : { policy: this.name, sid, effect };
    const statement: CompiledStatement = {
      policy: this.name,
      index,
      sid,
      effect,
      actions,
      notAction: actionKey === 'NotAction',
      resources,
      notResource: resourceKey === 'NotResource',
      principal,
      notPrincipal: principalKey === 'NotPrincipal',
      conditions,
      referencedKeys: [...keys.values()],
      referencedKeysLower: [...keys.keys()],
      matched: Object.freeze(matched),
      visited: 0,
    };
    return { statement, normal };
  }

  private exclusive<A extends string, B extends string>(
    s: Record<string, unknown>,
    path: string,
    a: A,
    b: B,
  ): A | B | undefined {
    const hasA = s[a] !== undefined;
    const hasB = s[b] !== undefined;
    if (hasA && hasB) {
      throw new PolicyDocumentError(
        pathWithKey(path, b),
        'UnsupportedElementCombination',
        `a statement cannot have both ${a} and ${b}`,
      );
    }
    return hasA ? a : hasB ? b : undefined;
  }

  private compileConditions(
    raw: unknown,
    path: string,
    out: CompiledCondition[],
  ): Record<string, Record<string, string[]>> {
    const block = asObject(raw, path, 'Condition must be an object of operators');
    const normal: Record<string, Record<string, string[]>> = {};
    const seenOperators = new Map<string, string>();
    for (const [operatorName, entries] of Object.entries(block)) {
      const opPath = pathWithKey(path, operatorName);
      const op = parseOperatorName(operatorName);
      if (op === undefined) {
        const isNullIfExists = /^(for(all|any)values?:)?nullifexists$/i.test(operatorName);
        throw new PolicyDocumentError(
          opPath,
          isNullIfExists ? 'NullWithIfExists' : 'UnknownConditionOperator',
          isNullIfExists ? 'Null cannot take IfExists' : `unknown condition operator "${clip(operatorName)}"`,
        );
      }
      const previous = seenOperators.get(op.canonical.toLowerCase());
      if (previous !== undefined) {
        throw new PolicyDocumentError(
          opPath,
          'DuplicateConditionOperator',
          `operator "${operatorName}" repeats "${previous}" (operators are case-insensitive)`,
        );
      }
      seenOperators.set(op.canonical.toLowerCase(), operatorName);
      const keyBlock = asObject(entries, opPath, `${op.canonical} must map condition keys to values`);
      const normalKeys: Record<string, string[]> = {};
      const seenKeys = new Map<string, string>();
      for (const [key, values] of Object.entries(keyBlock)) {
        const keyPath = pathWithKey(opPath, key);
        if (key.trim() === '')
          throw new PolicyDocumentError(keyPath, 'InvalidConditionKey', 'a condition key must not be empty');
        const previousKey = seenKeys.get(key.toLowerCase());
        if (previousKey !== undefined) {
          throw new PolicyDocumentError(
            keyPath,
            'DuplicateConditionKey',
            `condition key "${key}" repeats "${previousKey}" (keys are case-insensitive)`,
          );
        }
        seenKeys.set(key.toLowerCase(), key);
        // An empty value list is legal, as in IAM (Access Analyzer only suggests a value): no value matches,
        // so positive operators are false and negated ones true; the validator reports EmptyArrayCondition.
        const list = Array.isArray(values) ? (values as unknown[]) : [values];
        const texts = list.map((v, i) => {
          const p = Array.isArray(values) ? pathWithIndex(keyPath, i) : keyPath;
          const text = policyValueText(v);
          if (text === undefined)
            throw new PolicyDocumentError(
              p,
              'InvalidConditionValue',
              'a condition value must be a string, number or boolean',
            );
          return { text, path: p };
        });
        out.push(compileCondition(op, key, texts, this.version === '2012-10-17'));
        normalKeys[key] = texts.map((t) => t.text);
      }
      normal[op.canonical] = normalKeys;
    }
    return normal;
  }
}

function asObject(raw: unknown, path: string, message: string): Record<string, unknown> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw new PolicyDocumentError(path, 'ExpectedObject', message);
  return raw as Record<string, unknown>;
}

function stringList(raw: unknown, path: string, element: string): { text: string; path: string }[] {
  const list = Array.isArray(raw) ? (raw as unknown[]) : [raw];
  if (list.length === 0) throw new PolicyDocumentError(path, 'EmptyArray', `${element} must not be empty`);
  return list.map((item, i) => {
    const p = Array.isArray(raw) ? pathWithIndex(path, i) : path;
    if (typeof item !== 'string')
      throw new PolicyDocumentError(p, 'ExpectedString', `${element} entries must be strings`);
    return { text: item, path: p };
  });
}

function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function buildActionIndex(statements: readonly CompiledStatement[]): ActionIndex {
  const anyService: CompiledStatement[] = [];
  const byService = new Map<
    string,
    { exact: Map<string, CompiledStatement[]>; patterns: CompiledStatement[] }
  >();
  for (const s of statements) {
    if (s.notAction) {
      anyService.push(s);
      continue;
    }
    let inAny = false;
    for (const action of s.actions) {
      const text = action.kind === 'exact' || action.kind === 'prefix' ? action.text : undefined;
      const colon = text?.indexOf(':') ?? -1;
      // Wildcard in the service part (or "*"): any service may match.
      if (text === undefined || colon < 0) {
        if (!inAny) anyService.push(s);
        inAny = true;
        continue;
      }
      const service = text.slice(0, colon);
      let bucket = byService.get(service);
      if (bucket === undefined) {
        bucket = { exact: new Map(), patterns: [] };
        byService.set(service, bucket);
      }
      if (action.kind === 'exact') {
        const name = text.slice(colon + 1);
        const list = bucket.exact.get(name);
        if (list === undefined) bucket.exact.set(name, [s]);
        else if (!list.includes(s)) list.push(s);
      } else if (!bucket.patterns.includes(s)) {
        bucket.patterns.push(s);
      }
    }
  }
  return { anyService, byService };
}
