import { compileArnGlob } from './arn-matching.js';
import { parsePolicy } from './compile-policy.js';
import { cidrContains, parseCidr, parseIpAddress } from './condition-values.js';
import { parseOperatorName, policyValueText } from './condition-operators.js';
import { compileGlob, matchStaticGlob } from './glob-pattern.js';
import { isPolicyDocumentError, pathWithIndex, pathWithKey } from './policy-document-error.js';
import type { PolicyFinding, PolicyKind } from './policy-types.js';

// Keys that carry one value per request: ForAllValues on them is almost always a mistake (vacuously true).
const SINGLE_VALUED_KEYS = new Set(
  [
    'aws:PrincipalArn',
    'aws:PrincipalAccount',
    'aws:userid',
    'aws:username',
    'aws:SourceIdentity',
    'aws:FederatedProvider',
    'aws:MultiFactorAuthPresent',
    'aws:MultiFactorAuthAge',
    'aws:TokenIssueTime',
    'aws:SourceIp',
    'aws:SecureTransport',
    'aws:CurrentTime',
    'aws:EpochTime',
    'aws:ResourceAccount',
    'aws:PrincipalType',
    'aws:RequestedRegion',
    'fedgate:RequestMethod',
    'fedgate:RequestHost',
    'fedgate:RequestPath',
  ].map((k) => k.toLowerCase()),
);
const SINGLE_VALUED_PREFIXES = [
  'aws:principaltag/',
  'aws:resourcetag/',
  'aws:requesttag/',
  'fedgate:pathparam/',
];
const KNOWN_VARIABLE_PREFIXES = [
  'aws:principaltag/',
  'aws:resourcetag/',
  'aws:requesttag/',
  'fedgate:pathparam/',
  'fedgate:queryparam/',
  'saml:',
];
const WEB_IDENTITY_KEY = /^[a-z0-9.-]+\.[a-z]{2,}(?:\/[^:\s]*)?:[a-z_][\w-]*$/i;

// The global condition keys (IAM "AWS global condition context keys"); `…/` entries take a tag key after the
// slash. An `aws:` key outside this list is Access Analyzer's "Invalid global condition key" error.
const GLOBAL_CONDITION_KEYS = new Set(
  [
    'aws:AssumedRoot',
    'aws:CalledVia',
    'aws:CalledViaFirst',
    'aws:CalledViaLast',
    'aws:ChatbotSourceArn',
    'aws:CurrentTime',
    'aws:Ec2InstanceSourcePrivateIPv4',
    'aws:Ec2InstanceSourceVpc',
    'aws:EpochTime',
    'aws:FederatedProvider',
    'aws:IsMcpServiceAction',
    'aws:MultiFactorAuthAge',
    'aws:MultiFactorAuthPresent',
    'aws:PrincipalAccount',
    'aws:PrincipalArn',
    'aws:PrincipalIsAWSService',
    'aws:PrincipalOrgID',
    'aws:PrincipalOrgPaths',
    'aws:PrincipalServiceName',
    'aws:PrincipalServiceNamesList',
    'aws:PrincipalType',
    'aws:Referer',
    'aws:RequestedRegion',
    'aws:ResourceAccount',
    'aws:ResourceOrgID',
    'aws:ResourceOrgPaths',
    'aws:SecureTransport',
    'aws:SourceAccount',
    'aws:SourceArn',
    'aws:SourceIdentity',
    'aws:SourceIp',
    'aws:SourceOrgID',
    'aws:SourceOrgPaths',
    'aws:SourceVpc',
    'aws:SourceVpcArn',
    'aws:SourceVpce',
    'aws:TagKeys',
    'aws:TokenIssueTime',
    'aws:UserAgent',
    'aws:userid',
    'aws:username',
    'aws:ViaAWSService',
    'aws:VpceAccount',
    'aws:VpceOrgID',
    'aws:VpceOrgPaths',
    'aws:VpcSourceIp',
  ].map((k) => k.toLowerCase()),
);
const GLOBAL_TAG_KEY_PREFIXES = ['aws:principaltag/', 'aws:requesttag/', 'aws:resourcetag/'];
// Claims of an identity provider that hold one value per token: ForAllValues on them is vacuously true.
const SINGLE_VALUED_CLAIM =
  /(?:^saml|\.[a-z]{2,}(?:\/[^:\s]*)?|^[\w-]+):(?:sub|aud|oaud|iss|sub_type|namequalifier)$/i;
const SUBJECT_KEY = /:(?:sub)$/i;
const ORG_OR_SUBJECT_KEYS = new Set(
  [
    'aws:PrincipalOrgID',
    'aws:PrincipalOrgPaths',
    'aws:PrincipalAccount',
    'aws:PrincipalArn',
    'aws:userid',
  ].map((k) => k.toLowerCase()),
);
const ASSUME_ROLE_ACTIONS = ['sts:assumerole', 'sts:assumerolewithsaml', 'sts:assumerolewithwebidentity'];

/** What the validator may know beyond the document: the configured identity providers' accepted names. */
export interface ValidatePolicyOptions {
  /**
   * Every name a trust policy may give a configured provider in `{"Federated": …}`: its id, its ARN and, for
   * OIDC, the issuer without scheme (path included). Given, a host-like Federated value outside it is an error.
   */
  readonly federatedPrincipalNames?: readonly string[];
}

/**
 * Access-Analyzer-style findings for a policy document: every grammar error (one per statement), then
 * security warnings, warnings and suggestions, each with the JSON path it is about.
 */
export function validatePolicy(
  document: unknown,
  kind: PolicyKind,
  options: ValidatePolicyOptions = {},
): PolicyFinding[] {
  const findings: PolicyFinding[] = [];
  grammarErrors(document, kind, findings);
  if (typeof document !== 'object' || document === null || Array.isArray(document)) return findings;
  const doc = document as Record<string, unknown>;
  const modern = doc.Version === '2012-10-17';
  if (doc.Version === undefined) {
    findings.push(
      finding(
        'warning',
        'MissingVersion',
        'Version',
        'no Version: policy variables are literal text; add "Version": "2012-10-17"',
      ),
    );
  }
  const raw = doc.Statement;
  const statements = Array.isArray(raw) ? (raw as unknown[]) : raw === undefined ? [] : [raw];
  const seen = new Map<string, string>();
  statements.forEach((s, i) => {
    if (typeof s !== 'object' || s === null || Array.isArray(s)) return;
    const path = Array.isArray(raw) ? pathWithIndex('Statement', i) : 'Statement';
    const statement = s as Record<string, unknown>;
    lintStatement(statement, path, kind, modern, findings, options);
    const { Sid: _sid, ...rest } = statement;
    const key = JSON.stringify(rest);
    const first = seen.get(key);
    if (first !== undefined) {
      findings.push(
        finding(
          'suggestion',
          'RedundantStatement',
          path,
          `this statement grants exactly what ${first} grants`,
        ),
      );
    } else seen.set(key, path);
  });
  return findings;
}

function finding(
  severity: PolicyFinding['severity'],
  code: string,
  path: string,
  message: string,
): PolicyFinding {
  return { severity, code, path, message };
}

function grammarErrors(document: unknown, kind: PolicyKind, findings: PolicyFinding[]): void {
  try {
    parsePolicy(document, { name: 'policy', kind });
    return;
  } catch (error) {
    if (!isPolicyDocumentError(error)) throw error;
    findings.push(finding('error', error.rule, error.path, error.description));
  }
  // Report every error of every statement, not just the first of the document.
  if (typeof document !== 'object' || document === null || Array.isArray(document)) return;
  const doc = document as Record<string, unknown>;
  if (!Array.isArray(doc.Statement)) return;
  const version = doc.Version === undefined ? {} : { Version: doc.Version };
  (doc.Statement as unknown[]).forEach((statement, i) => {
    for (const error of statementErrors(statement, version, kind)) {
      const path = error.path.replace(/^Statement\[0\]/, `Statement[${i}]`);
      if (!findings.some((f) => f.path === path && f.code === error.rule))
        findings.push(finding('error', error.rule, path, error.reason));
    }
  });
}

/** A statement's errors are at most this many (one per element and condition entry in practice). */
const MAX_ERRORS_PER_STATEMENT = 32;

/** What stands in for an element whose value was wrong, so that the statement's other elements are checked. */
const STAND_INS: Readonly<Record<string, unknown>> = {
  Effect: 'Allow',
  Action: '*',
  NotAction: '*',
  Resource: '*',
  NotResource: '*',
  Principal: '*',
  NotPrincipal: '*',
};

/**
 * Every grammar error of one statement: the compiler stops at the first, so each error's value is set aside
 * (an unknown element or a condition entry removed, a required element given a valid stand-in) and the statement
 * is compiled again, until it compiles or nothing more can be set aside.
 */
function statementErrors(
  statement: unknown,
  version: Record<string, unknown>,
  kind: PolicyKind,
): { path: string; rule: string; reason: string }[] {
  const errors: { path: string; rule: string; reason: string }[] = [];
  let current = statement;
  while (errors.length < MAX_ERRORS_PER_STATEMENT) {
    try {
      parsePolicy({ ...version, Statement: [current] }, { name: 'policy', kind });
      return errors;
    } catch (error) {
      if (!isPolicyDocumentError(error)) throw error;
      if (errors.some((seen) => seen.path === error.path && seen.rule === error.rule)) return errors;
      errors.push({ path: error.path, rule: error.rule, reason: error.description });
      const repaired = setAside(current, error.path, errors);
      if (repaired === undefined) return errors;
      current = repaired;
    }
  }
  return errors;
}

/**
 * The statement without the value at `path` (`Statement[0].Condition.StringEqualz`): a nested value is removed
 * (an emptied element is removed too); a top-level element gets its stand-in, or is removed when the stand-in
 * was already refused. Undefined when the path does not lead into the statement.
 */
function setAside(
  statement: unknown,
  path: string,
  errors: readonly { path: string }[],
): Record<string, unknown> | undefined {
  if (typeof statement !== 'object' || statement === null || Array.isArray(statement)) return undefined;
  const segments = pathSegments(path);
  if (segments === undefined || segments[0] !== 0 || segments.length < 2) return undefined;
  const copy = structuredClone(statement) as Record<string, unknown>;
  const top = segments[1];
  if (typeof top !== 'string' || !(top in copy)) return undefined;
  if (segments.length === 2) {
    const standIn = STAND_INS[top];
    const refusedBefore = errors.filter((error) => error.path === path).length > 1;
    if (standIn === undefined || refusedBefore || copy[top] === standIn) delete copy[top];
    else copy[top] = standIn;
    return copy;
  }
  let parent: object = copy;
  for (const segment of segments.slice(1, -1)) {
    const next = (parent as Record<string | number, unknown>)[segment];
    if (typeof next !== 'object' || next === null) return undefined;
    parent = next;
  }
  const last = segments[segments.length - 1];
  if (Array.isArray(parent) && typeof last === 'number' && last < parent.length) parent.splice(last, 1);
  else if (!Array.isArray(parent) && typeof last === 'string' && last in parent)
    delete (parent as Record<string, unknown>)[last];
  else return undefined;
  const element = copy[top];
  const emptied =
    (Array.isArray(element) && element.length === 0) ||
    (typeof element === 'object' && element !== null && Object.keys(element).length === 0);
  if (emptied) {
    const standIn = STAND_INS[top];
    if (standIn === undefined) delete copy[top];
    else copy[top] = standIn;
  }
  return copy;
}

/** `Statement[0].Condition["aws:x"][2]` → `['Statement', 0, 'Condition', 'aws:x', 2]` without the first; undefined if unreadable. */
function pathSegments(path: string): (string | number)[] | undefined {
  const segments: (string | number)[] = [];
  const pattern = /^(?:\.?([A-Za-z_][A-Za-z0-9_]*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\])/;
  let rest = path;
  while (rest !== '') {
    const match = pattern.exec(rest);
    if (match === null) return undefined;
    if (match[1] !== undefined) segments.push(match[1]);
    else if (match[2] !== undefined) segments.push(Number(match[2]));
    else segments.push(JSON.parse(match[3] ?? '""') as string);
    rest = rest.slice(match[0].length);
  }
  return segments[0] === 'Statement' ? segments.slice(1) : undefined;
}

function lintStatement(
  s: Record<string, unknown>,
  path: string,
  kind: PolicyKind,
  modern: boolean,
  findings: PolicyFinding[],
  options: ValidatePolicyOptions,
): void {
  const allow = s.Effect === 'Allow';
  if (s.Effect === 'Deny' && s.NotPrincipal !== undefined) {
    findings.push(
      finding(
        'warning',
        'DenyWithNotPrincipal',
        pathWithKey(path, 'NotPrincipal'),
        'a NotPrincipal Deny denies every principal that has a permissions boundary, whatever NotPrincipal lists; use Principal "*" with ArnNotEquals on aws:PrincipalArn',
      ),
    );
  }
  lintActions(s, path, allow, findings);
  lintResources(s, path, findings);
  if (allow && s.NotPrincipal !== undefined) {
    findings.push(
      finding(
        'security-warning',
        'AllowWithNotPrincipal',
        pathWithKey(path, 'NotPrincipal'),
        'Allow with NotPrincipal grants access to every principal not listed, anonymous ones included',
      ),
    );
  }
  if (allow && s.NotAction !== undefined) {
    findings.push(
      finding(
        'security-warning',
        'AllowWithNotAction',
        pathWithKey(path, 'NotAction'),
        'Allow with NotAction grants every other action, of every service, present and future',
      ),
    );
  }
  if (allow && s.NotResource !== undefined) {
    findings.push(
      finding(
        'security-warning',
        'AllowWithNotResource',
        pathWithKey(path, 'NotResource'),
        'Allow with NotResource grants every other resource',
      ),
    );
  }
  // A guardrail caps and never grants (like AWS's FullAWSAccess SCP, which every SCP setup starts from), so
  // allowing everything there is the normal base that its Deny statements carve out of.
  if (allow && kind !== 'guardrail' && listOf(s.Action).includes('*') && listOf(s.Resource).includes('*')) {
    findings.push(
      finding(
        'security-warning',
        'FullAccess',
        pathWithKey(path, 'Action'),
        '"Action": "*" with "Resource": "*" allows everything',
      ),
    );
  }
  const condition =
    typeof s.Condition === 'object' && s.Condition !== null
      ? (s.Condition as Record<string, unknown>)
      : undefined;
  const conditionKeys =
    condition === undefined
      ? []
      : Object.values(condition).flatMap((v) => (typeof v === 'object' && v !== null ? Object.keys(v) : []));
  if (kind === 'trust' && allow) lintTrustStatement(s, path, conditionKeys, condition, findings, options);
  if (condition !== undefined) lintConditions(condition, pathWithKey(path, 'Condition'), findings);
  for (const [element, value] of [
    ['Resource', s.Resource],
    ['NotResource', s.NotResource],
  ] as const) {
    listOf(value).forEach((text, i) =>
      lintVariables(
        text,
        Array.isArray(value) ? pathWithIndex(pathWithKey(path, element), i) : pathWithKey(path, element),
        modern,
        findings,
      ),
    );
  }
  if (condition !== undefined) {
    for (const [operator, entries] of Object.entries(condition)) {
      if (typeof entries !== 'object' || entries === null) continue;
      for (const [key, values] of Object.entries(entries as Record<string, unknown>)) {
        const keyPath = pathWithKey(pathWithKey(pathWithKey(path, 'Condition'), operator), key);
        const list = Array.isArray(values) ? (values as unknown[]) : [values];
        list.forEach((v, i) => {
          const text = policyValueText(v);
          if (text !== undefined)
            lintVariables(
              text,
              Array.isArray(values) ? pathWithIndex(keyPath, i) : keyPath,
              modern,
              findings,
            );
        });
      }
    }
  }
}

/**
 * Whether a trust statement's condition narrows who may assume by an organisation, account, principal or subject
 * key: a positive operator (not `…IfExists`, not `ForAllValues:`, which both admit a principal without the key;
 * not negated, which admits every other value; not `Null`) with at least one value that is not only wildcards.
 */
function restrictsWhoMayAssume(condition: Record<string, unknown> | undefined): boolean {
  if (condition === undefined) return false;
  return Object.entries(condition).some(([operatorName, entries]) => {
    const op = parseOperatorName(operatorName);
    if (op === undefined || op.ifExists || op.set === 1 || op.base.negated || op.base.family === 'null')
      return false;
    if (typeof entries !== 'object' || entries === null) return false;
    return Object.entries(entries as Record<string, unknown>).some(([key, values]) => {
      if (!ORG_OR_SUBJECT_KEYS.has(key.toLowerCase()) && !SUBJECT_KEY.test(key)) return false;
      const list = Array.isArray(values) ? (values as unknown[]) : [values];
      const wildcards = op.base.comparison === 'like';
      return (
        list.length > 0 &&
        list.every((v) => {
          const text = policyValueText(v);
          return text !== undefined && !(wildcards && /^[*?]*$/.test(text));
        })
      );
    });
  });
}

function lintTrustStatement(
  s: Record<string, unknown>,
  path: string,
  conditionKeys: string[],
  condition: Record<string, unknown> | undefined,
  findings: PolicyFinding[],
  options: ValidatePolicyOptions,
): void {
  const principal = s.Principal;
  const principalPath = pathWithKey(path, 'Principal');
  if (
    !restrictsWhoMayAssume(condition) &&
    (principal === '*' ||
      (typeof principal === 'object' &&
        principal !== null &&
        listOf((principal as Record<string, unknown>).AWS).includes('*')))
  ) {
    findings.push(
      finding(
        'security-warning',
        'PrincipalStarInTrustPolicy',
        principalPath,
        'anyone can assume this role: name the identity provider or principals instead of "*"',
      ),
    );
  }
  if (typeof principal !== 'object' || principal === null) return;
  const federated = listOf((principal as Record<string, unknown>).Federated);
  const aws = listOf((principal as Record<string, unknown>).AWS);
  const actions = listOf(s.Action).map((a) => a.toLowerCase());
  const actionPath = pathWithKey(path, 'Action');
  if (federated.length > 0 && aws.length === 0 && actions.includes('sts:assumerole')) {
    findings.push(
      finding(
        'error',
        'MismatchedActionForPrincipal',
        actionPath,
        'a Federated principal assumes a role with sts:AssumeRoleWithSAML or sts:AssumeRoleWithWebIdentity, never sts:AssumeRole',
      ),
    );
  }
  if (
    aws.length > 0 &&
    federated.length === 0 &&
    actions.some((a) => a === 'sts:assumerolewithsaml' || a === 'sts:assumerolewithwebidentity')
  ) {
    findings.push(
      finding(
        'error',
        'MismatchedActionForPrincipal',
        actionPath,
        'an AWS principal assumes a role with sts:AssumeRole; the SAML and web-identity actions need a Federated principal',
      ),
    );
  }
  const names = options.federatedPrincipalNames;
  if (names !== undefined) {
    const raw = (principal as Record<string, unknown>).Federated;
    federated.forEach((name, i) => {
      if (names.includes(name) || !/^[a-z0-9-]+(?:\.[a-z0-9-]+)+(?::\d+)?(?:\/\S*)?$/i.test(name)) return;
      findings.push(
        finding(
          'error',
          'InvalidFederatedPrincipal',
          Array.isArray(raw)
            ? pathWithIndex(pathWithKey(principalPath, 'Federated'), i)
            : pathWithKey(principalPath, 'Federated'),
          `"${clip(name)}" names a host, not a configured provider: write the provider id, its ARN or its issuer without scheme (path included)`,
        ),
      );
    });
  }
  if (condition !== undefined) {
    for (const [operatorName, entries] of Object.entries(condition)) {
      const op = parseOperatorName(operatorName);
      if (op === undefined || op.base.comparison !== 'like' || op.base.family !== 'string' || op.base.negated)
        continue;
      if (typeof entries !== 'object' || entries === null) continue;
      for (const [key, values] of Object.entries(entries as Record<string, unknown>)) {
        if (!SUBJECT_KEY.test(key)) continue;
        const list = Array.isArray(values) ? (values as unknown[]) : [values];
        if (!list.some((v) => typeof v === 'string' && /^[*?]*\*[*?]*$/.test(v))) continue;
        findings.push(
          finding(
            'security-warning',
            'SubjectWildcardOnly',
            pathWithKey(pathWithKey(pathWithKey(path, 'Condition'), operatorName), key),
            `${op.canonical} "*" on "${key}" matches every subject of the provider: name the subjects (repository, branch, user)`,
          ),
        );
      }
    }
  }
  if (federated.length === 0) return;
  const lowerKeys = conditionKeys.map((k) => k.toLowerCase());
  const hasAudOrSub = lowerKeys.some((k) => /:(aud|oaud|sub|sub_type|namequalifier)$/.test(k));
  if (!hasAudOrSub) {
    findings.push(
      finding(
        'security-warning',
        'MissingAudienceOrSubjectCondition',
        principalPath,
        'a federated trust statement should restrict the audience or subject (e.g. "<provider>:aud", "<provider>:sub", "saml:aud"); otherwise any identity of the provider can assume the role',
      ),
    );
  }
}

function lintConditions(condition: Record<string, unknown>, path: string, findings: PolicyFinding[]): void {
  if (Object.keys(condition).length === 0)
    findings.push(finding('suggestion', 'EmptyCondition', path, 'an empty Condition has no effect'));
  for (const [operatorName, entries] of Object.entries(condition)) {
    const opPath = pathWithKey(path, operatorName);
    const op = parseOperatorName(operatorName);
    if (op === undefined || typeof entries !== 'object' || entries === null) continue;
    if (op.canonical !== operatorName) {
      findings.push(
        finding('suggestion', 'NonCanonicalOperatorName', opPath, `write the operator as "${op.canonical}"`),
      );
    }
    if (Object.keys(entries).length === 0)
      findings.push(finding('suggestion', 'EmptyConditionOperator', opPath, `${op.canonical} has no keys`));
    for (const [key, values] of Object.entries(entries as Record<string, unknown>)) {
      const keyPath = pathWithKey(opPath, key);
      const lower = key.toLowerCase();
      lintConditionKey(key, keyPath, findings);
      const values0 = Array.isArray(values) ? (values as unknown[]) : [values];
      if (values0.length === 0) {
        findings.push(
          finding(
            'suggestion',
            'EmptyArrayCondition',
            keyPath,
            op.set === 2
              ? 'ForAnyValue with no values never matches: the condition has no effect but to fail'
              : op.set === 1 || op.ifExists
                ? 'with no values this matches only when the key is missing; to test for a missing key use Null "true"'
                : 'there are no values for the condition key: specify the values to compare',
          ),
        );
      }
      if (op.base.family === 'null' && op.set !== 0) {
        findings.push(
          finding(
            'suggestion',
            'NullWithQualifier',
            opPath,
            `${op.canonical} always returns ${op.set === 1 ? 'true' : 'false'} (Access Analyzer "Null with qualifier"); use Null without a qualifier`,
          ),
        );
      }
      if (op.base.family === 'ip') lintIpValues(lower, values0, keyPath, Array.isArray(values), findings);
      if (
        op.set === 1 &&
        (SINGLE_VALUED_KEYS.has(lower) ||
          SINGLE_VALUED_PREFIXES.some((p) => lower.startsWith(p)) ||
          SINGLE_VALUED_CLAIM.test(key))
      ) {
        findings.push(
          finding(
            'security-warning',
            'ForAllValuesWithSingleValuedKey',
            keyPath,
            `ForAllValues on the single-valued key "${key}" is true whenever the key is missing; use a plain operator`,
          ),
        );
      }
      if (
        op.set === 0 &&
        op.base.family !== 'null' &&
        (lower === 'aws:tagkeys' || lower === 'fedgate:groups')
      ) {
        findings.push(
          finding(
            'warning',
            'MultiValuedKeyWithoutSetOperator',
            keyPath,
            `"${key}" is multi-valued: use ForAnyValue: or ForAllValues: (a plain operator never matches a list)`,
          ),
        );
      }
      const list = Array.isArray(values) ? (values as unknown[]) : [values];
      if (op.base.family === 'string' && op.base.comparison !== 'like') {
        list.forEach((v, i) => {
          const text = policyValueText(v);
          if (text !== undefined && /[*?]/.test(text.replace(/\$\{[^}]*\}/g, ''))) {
            findings.push(
              finding(
                'warning',
                'WildcardWithoutLikeOperator',
                Array.isArray(values) ? pathWithIndex(keyPath, i) : keyPath,
                `${op.base.name} compares "*" and "?" literally; use StringLike for wildcards`,
              ),
            );
          }
        });
      }
      if (op.base.family === 'bool' && list.length > 1) {
        findings.push(
          finding(
            'warning',
            'MultipleBooleanValues',
            keyPath,
            'a Bool condition with several values matches either way',
          ),
        );
      }
    }
  }
}

function lintVariables(text: string, path: string, modern: boolean, findings: PolicyFinding[]): void {
  const variables = [...text.matchAll(/\$\{([^}]*)\}/g)].map((m) => m[1] ?? '');
  if (variables.length === 0) return;
  if (!modern) {
    findings.push(
      finding(
        'warning',
        'VariableUnsupportedInVersion',
        path,
        'policy variables need "Version": "2012-10-17"; here they are literal text',
      ),
    );
    return;
  }
  for (const inner of variables) {
    if (inner === '*' || inner === '?' || inner === '$') continue;
    const key = (inner.split(',')[0] ?? '').trim();
    const lower = key.toLowerCase();
    const known =
      SINGLE_VALUED_KEYS.has(lower) ||
      KNOWN_VARIABLE_PREFIXES.some((p) => lower.startsWith(p)) ||
      WEB_IDENTITY_KEY.test(key);
    if (!known && key !== '') {
      findings.push(
        finding(
          'warning',
          'UnknownPolicyVariable',
          path,
          `"\${${key}}" is not a known context key; it will have no value unless the context supplies it`,
        ),
      );
    }
  }
}

/** Access Analyzer "Invalid global condition key" and "Missing tag key in condition". */
function lintConditionKey(key: string, path: string, findings: PolicyFinding[]): void {
  const lower = key.toLowerCase();
  if (!lower.startsWith('aws:')) return;
  const tagPrefix = GLOBAL_TAG_KEY_PREFIXES.find((p) => lower.startsWith(p));
  if (tagPrefix !== undefined) {
    if (lower.length === tagPrefix.length) {
      findings.push(
        finding('error', 'MissingTagKeyInCondition', path, `"${clip(key)}" needs a tag key after the slash`),
      );
    }
    return;
  }
  if (GLOBAL_CONDITION_KEYS.has(lower)) return;
  findings.push(
    finding(
      'error',
      'InvalidGlobalConditionKey',
      path,
      `"${clip(key)}" is not a global condition key (misspelt? e.g. aws:PrincipalTag/<key>, not aws:PrincipalTags/<key>)`,
    ),
  );
}

/** Access Analyzer "Improve IP range" (host bits set) and "Private IP address" (aws:SourceIp). */
function lintIpValues(
  key: string,
  values: readonly unknown[],
  keyPath: string,
  isList: boolean,
  findings: PolicyFinding[],
): void {
  values.forEach((value, i) => {
    if (typeof value !== 'string') return;
    const path = isList ? pathWithIndex(keyPath, i) : keyPath;
    const block = parseCidr(value);
    if (block === undefined) return;
    const slash = value.indexOf('/');
    if (slash >= 0) {
      const address = parseIpAddress(value.slice(0, slash));
      const host = address === undefined ? undefined : address.version === 4 ? address.v4 : address.v6;
      if (host !== undefined && host !== block.network) {
        findings.push(
          finding(
            'suggestion',
            'ImproveIpRange',
            path,
            `"${clip(value)}" has bits set after the mask, which are ignored: write the network address`,
          ),
        );
      }
    }
    if (key === 'aws:sourceip' && isPrivateBlock(value)) {
      findings.push(
        finding(
          'suggestion',
          'PrivateIpAddress',
          path,
          'a private range in aws:SourceIp: in AWS aws:SourceIp holds only public addresses (use aws:VpcSourceIp); fedgate compares the client address it sees',
        ),
      );
    }
  });
}

const PRIVATE_BLOCKS = [
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '127.0.0.0/8',
  'fc00::/7',
  'fe80::/10',
  '::1/128',
].map((text) => parseCidr(text));

function isPrivateBlock(value: string): boolean {
  const slash = value.indexOf('/');
  const address = parseIpAddress(slash < 0 ? value : value.slice(0, slash));
  if (address === undefined) return false;
  return PRIVATE_BLOCKS.some((block) => block !== undefined && cidrContains(block, address));
}

/** Access Analyzer "Wildcard in service name", "Redundant action", and broad sts:AssumeRole grants. */
function lintActions(
  s: Record<string, unknown>,
  path: string,
  allow: boolean,
  findings: PolicyFinding[],
): void {
  const key = s.Action !== undefined ? 'Action' : s.NotAction !== undefined ? 'NotAction' : undefined;
  if (key === undefined) return;
  const raw = s[key];
  const actions = listOf(raw);
  const at = (i: number): string =>
    Array.isArray(raw) ? pathWithIndex(pathWithKey(path, key), i) : pathWithKey(path, key);
  actions.forEach((action, i) => {
    const colon = action.indexOf(':');
    if (colon > 0 && /[*?]/.test(action.slice(0, colon))) {
      findings.push(
        finding(
          'suggestion',
          'WildcardInServiceName',
          at(i),
          `"${clip(action)}" has a wildcard in the service name and may match services you did not mean`,
        ),
      );
    }
    const lower = action.toLowerCase();
    const coveredBy = actions.findIndex(
      (other, j) =>
        j !== i &&
        other.toLowerCase() !== lower &&
        /[*?]/.test(other) &&
        matchStaticGlob(compileGlob(other.toLowerCase()), lower) &&
        !/[*?]/.test(action),
    );
    const duplicateOf = actions.findIndex((other, j) => j < i && other.toLowerCase() === lower);
    if (coveredBy >= 0 || duplicateOf >= 0) {
      findings.push(
        finding(
          'suggestion',
          'RedundantAction',
          at(i),
          `"${clip(action)}" is already granted by "${clip(actions[coveredBy >= 0 ? coveredBy : duplicateOf] ?? '')}"`,
        ),
      );
    }
  });
  if (!allow || key !== 'Action') return;
  const assumes = actions.filter((a) => {
    const glob = compileGlob(a.toLowerCase());
    return a !== '*' && ASSUME_ROLE_ACTIONS.some((name) => matchStaticGlob(glob, name));
  });
  if (assumes.length === 0) return;
  const resources = listOf(s.Resource);
  const everyRole =
    s.NotResource !== undefined ||
    resources.some((r) => r === '*' || /^arn:[^:]*:iam::[^:]*:(?:\*|role\/\*)$/.test(r));
  if (everyRole) {
    findings.push(
      finding(
        'security-warning',
        'BroadAssumeRoleGrant',
        pathWithKey(path, 'Resource'),
        `${assumes.join(', ')} on every role: any role whose trust policy names this account can be assumed; list the role ARNs`,
      ),
    );
  }
}

/** Access Analyzer "Redundant resource": an entry already covered by another (wildcard) entry of the list. */
function lintResources(s: Record<string, unknown>, path: string, findings: PolicyFinding[]): void {
  const key = s.Resource !== undefined ? 'Resource' : s.NotResource !== undefined ? 'NotResource' : undefined;
  if (key === undefined) return;
  const raw = s[key];
  const resources = listOf(raw);
  if (resources.length < 2) return;
  resources.forEach((resource, i) => {
    const duplicateOf = resources.findIndex((other, j) => j < i && other === resource);
    const coveredBy =
      resource.includes('${') || /[*?]/.test(resource)
        ? -1
        : resources.findIndex((other, j) => j !== i && other !== resource && coversResource(other, resource));
    if (duplicateOf < 0 && coveredBy < 0) return;
    findings.push(
      finding(
        'suggestion',
        'RedundantResource',
        Array.isArray(raw) ? pathWithIndex(pathWithKey(path, key), i) : pathWithKey(path, key),
        `"${clip(resource)}" is already covered by "${clip(resources[coveredBy >= 0 ? coveredBy : duplicateOf] ?? '')}"`,
      ),
    );
  });
}

function coversResource(pattern: string, resource: string): boolean {
  if (pattern.includes('${')) return false;
  try {
    return compileArnGlobForLint(pattern).matches(resource);
  } catch {
    return false;
  }
}

function compileArnGlobForLint(pattern: string): { matches(arn: string): boolean } {
  return pattern === '*' ? { matches: () => true } : compileArnGlob(pattern);
}

function clip(text: string): string {
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function listOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return (value as unknown[]).filter((v): v is string => typeof v === 'string');
  return [];
}
