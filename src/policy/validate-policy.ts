import { parsePolicy } from './compile-policy.js';
import { parseOperatorName, policyValueText } from './condition-operators.js';
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

/**
 * Access-Analyzer-style findings for a policy document: every grammar error (one per statement), then
 * security warnings, warnings and suggestions, each with the JSON path it is about.
 */
export function validatePolicy(document: unknown, kind: PolicyKind): PolicyFinding[] {
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
  statements.forEach((s, i) => {
    if (typeof s !== 'object' || s === null || Array.isArray(s)) return;
    lintStatement(
      s as Record<string, unknown>,
      Array.isArray(raw) ? pathWithIndex('Statement', i) : 'Statement',
      kind,
      modern,
      findings,
    );
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
    findings.push(finding('error', error.rule, error.path, error.reason));
  }
  // Report the first error of every statement, not just the first of the document.
  if (typeof document !== 'object' || document === null || Array.isArray(document)) return;
  const doc = document as Record<string, unknown>;
  if (!Array.isArray(doc.Statement)) return;
  (doc.Statement as unknown[]).forEach((statement, i) => {
    try {
      parsePolicy(
        { ...(doc.Version === undefined ? {} : { Version: doc.Version }), Statement: [statement] },
        { name: 'policy', kind },
      );
    } catch (error) {
      if (!isPolicyDocumentError(error)) throw error;
      const path = error.path.replace(/^Statement\[0\]/, `Statement[${i}]`);
      if (!findings.some((f) => f.path === path && f.code === error.rule))
        findings.push(finding('error', error.rule, path, error.reason));
    }
  });
}

function lintStatement(
  s: Record<string, unknown>,
  path: string,
  kind: PolicyKind,
  modern: boolean,
  findings: PolicyFinding[],
): void {
  const allow = s.Effect === 'Allow';
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
  if (kind === 'trust' && allow) lintTrustStatement(s, path, conditionKeys, findings);
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

function lintTrustStatement(
  s: Record<string, unknown>,
  path: string,
  conditionKeys: string[],
  findings: PolicyFinding[],
): void {
  const principal = s.Principal;
  const principalPath = pathWithKey(path, 'Principal');
  if (
    principal === '*' ||
    (typeof principal === 'object' &&
      principal !== null &&
      listOf((principal as Record<string, unknown>).AWS).includes('*'))
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
      if (
        op.set === 1 &&
        (SINGLE_VALUED_KEYS.has(lower) || SINGLE_VALUED_PREFIXES.some((p) => lower.startsWith(p)))
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

function listOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return (value as unknown[]).filter((v): v is string => typeof v === 'string');
  return [];
}
