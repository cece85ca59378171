import { PolicyDocumentError, pathWithIndex, pathWithKey } from './policy-document-error.js';
import type { PrincipalIdentity } from './policy-types.js';

/** A compiled Principal/NotPrincipal element. */
export interface PrincipalMatcher {
  /** `"*"` or `{"AWS": "*"}`: everyone, anonymous included. */
  readonly everyone: boolean;
  readonly awsAccounts: readonly string[];
  readonly awsArns: readonly string[];
  readonly federated: readonly string[];
  readonly services: readonly string[];
  readonly canonicalUsers: readonly string[];
}

/**
 * How a principal was named, by what a same-account resource-policy Allow then grants (IAM policy evaluation
 * logic, Principal element page):
 * - Direct: its own session/user ARN (or federated/service id), or a statement without Principal (identity
 *   policies): the grant stands alone, implicit denies elsewhere do not matter;
 * - Everyone: `"*"`: like Direct (boundaries and session policies do not limit it), explicit denies still win;
 * - Alias: the role ARN of a role session (or another alias): a grant, capped by boundary and session policies;
 * - Account: the account id or `:root` ARN: delegates to the account, grants nothing without an identity Allow;
 * - Excluding: not listed in a `NotPrincipal`: a grant capped like Alias.
 */
export const PrincipalMatchKind = {
  None: 0,
  Excluding: 1,
  Account: 2,
  Alias: 3,
  Everyone: 4,
  Direct: 5,
} as const;
/** One of PrincipalMatchKind's values. */
export type PrincipalMatchKind = (typeof PrincipalMatchKind)[keyof typeof PrincipalMatchKind];

const ACCOUNT = /^\d{12}$/;
const ROOT_ARN = /^arn:[^:]+:iam::(\d{12}):root$/;
const PRINCIPAL_KEYS = ['AWS', 'Federated', 'Service', 'CanonicalUser'] as const;

/** Compiles `"*"` or `{"AWS"|"Federated"|"Service"|"CanonicalUser": value | [values]}`. */
export function compilePrincipal(element: unknown, path: string): PrincipalMatcher {
  const m = {
    everyone: false,
    awsAccounts: [] as string[],
    awsArns: [] as string[],
    federated: [] as string[],
    services: [] as string[],
    canonicalUsers: [] as string[],
  };
  if (element === '*') return { ...m, everyone: true };
  if (typeof element !== 'object' || element === null || Array.isArray(element)) {
    throw new PolicyDocumentError(
      path,
      'InvalidPrincipal',
      'a principal must be "*" or an object such as {"AWS": …}',
    );
  }
  const entries = Object.entries(element as Record<string, unknown>);
  if (entries.length === 0)
    throw new PolicyDocumentError(path, 'InvalidPrincipal', 'a principal object names no principal');
  for (const [key, raw] of entries) {
    const keyPath = pathWithKey(path, key);
    if (!(PRINCIPAL_KEYS as readonly string[]).includes(key)) {
      throw new PolicyDocumentError(
        keyPath,
        'InvalidPrincipal',
        `unknown principal type "${key}" (AWS, Federated, Service, CanonicalUser)`,
      );
    }
    const values = stringList(raw, keyPath);
    values.forEach((value, i) => {
      const valuePath = Array.isArray(raw) ? pathWithIndex(keyPath, i) : keyPath;
      if (value === '*') {
        if (key !== 'AWS') {
          throw new PolicyDocumentError(
            valuePath,
            'UnsupportedWildcardInPrincipal',
            `"*" is only allowed as "Principal": "*" or {"AWS": "*"}`,
          );
        }
        m.everyone = true;
        return;
      }
      if (value.includes('*') || value.includes('?')) {
        throw new PolicyDocumentError(
          valuePath,
          'UnsupportedWildcardInPrincipal',
          'principals cannot contain partial wildcards',
        );
      }
      if (key === 'AWS') {
        const root = ROOT_ARN.exec(value);
        if (ACCOUNT.test(value)) m.awsAccounts.push(value);
        else if (root !== null) m.awsAccounts.push(root[1] as string);
        else if (value.startsWith('arn:') && value.split(':').length >= 6) m.awsArns.push(value);
        else
          throw new PolicyDocumentError(
            valuePath,
            'InvalidPrincipal',
            'an AWS principal must be a 12-digit account id or an ARN',
          );
      } else if (key === 'Federated') m.federated.push(value);
      else if (key === 'Service') m.services.push(value);
      else m.canonicalUsers.push(value);
    });
  }
  return m;
}

function stringList(raw: unknown, path: string): string[] {
  const list = Array.isArray(raw) ? (raw as unknown[]) : [raw];
  if (list.length === 0)
    throw new PolicyDocumentError(path, 'EmptyArray', 'a principal list must not be empty');
  return list.map((item, i) => {
    if (typeof item !== 'string' || item === '') {
      throw new PolicyDocumentError(
        Array.isArray(raw) ? pathWithIndex(path, i) : path,
        'InvalidPrincipal',
        'a principal must be a non-empty string',
      );
    }
    return item;
  });
}

/** The strongest way `matcher` names `principal` (None when it does not); undefined principal = anonymous. */
export function matchPrincipal(
  matcher: PrincipalMatcher,
  principal: PrincipalIdentity | undefined,
): PrincipalMatchKind {
  let best: PrincipalMatchKind = PrincipalMatchKind.None;
  if (principal !== undefined && principal.type !== 'Anonymous') {
    const list =
      principal.type === 'AWS'
        ? matcher.awsArns
        : principal.type === 'Federated'
          ? matcher.federated
          : matcher.services;
    if (list.length > 0) {
      if (list.includes(principal.id)) {
        if (!(principal.type === 'AWS' && isRoleArn(principal.id))) return PrincipalMatchKind.Direct;
        best = PrincipalMatchKind.Alias;
      }
      const aliases = principal.aliases;
      if (best === PrincipalMatchKind.None && aliases !== undefined)
        for (const alias of aliases) if (list.includes(alias)) best = PrincipalMatchKind.Alias;
    }
    if (best === PrincipalMatchKind.None && principal.type === 'AWS' && matcher.awsAccounts.length > 0) {
      const account = principal.account ?? accountOfArn(principal.id);
      if (account !== undefined && matcher.awsAccounts.includes(account)) best = PrincipalMatchKind.Account;
    }
  }
  return matcher.everyone ? PrincipalMatchKind.Everyone : best;
}

function isRoleArn(arn: string): boolean {
  const parts = arn.split(':');
  return parts[2] === 'iam' && (parts[5] ?? '').startsWith('role/');
}

/** The account part of an ARN, when it has one. */
export function accountOfArn(arn: string): string | undefined {
  const parts = arn.split(':');
  const account = parts[4];
  return parts.length >= 6 && account !== undefined && account !== '' ? account : undefined;
}
