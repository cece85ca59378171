import { parseDuration } from './parse-duration.js';
import type { ConfigIssue } from './config-error.js';
import { formatConfigPath, type PathSegment } from './config-path.js';
import { withSuggestion } from '../text/closest-match.js';

const MAX_MANAGED_POLICY_CHARS = 6144;
const MAX_ROLE_INLINE_CHARS = 10_240;

/*
 * Rules that span several fields or sections. They read the unvalidated tree defensively so they still
 * report when some other field of the same object breaks the schema (zod skips refinements then), which
 * is what "every error at once" needs.
 */

/** Every cross-field and cross-reference problem of a configuration tree (after substitution). */
export function checkConfigRules(raw: unknown): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const report = (path: PathSegment[], message: string): void => {
    issues.push({ path: formatConfigPath(path), message });
  };
  if (!isObject(raw)) return issues;
  checkStore(raw.store, report);
  checkProviders(raw.identityProviders, report);
  const policyNames = checkManagedPolicies(raw.policies, report);
  checkRoles(raw.roles, policyNames, report);
  checkRoutes(raw.routes, report);
  checkClients(raw.clients, report);
  checkRolesAnywhere(raw, policyNames, report);
  return issues;
}

type Report = (path: PathSegment[], message: string) => void;

function checkStore(store: unknown, report: Report): void {
  if (!isObject(store) || store.kind !== 'redis') return;
  const modes = ['url', 'sentinels', 'cluster'].filter((key) => store[key] !== undefined);
  if (modes.length !== 1) {
    report(['store'], `a redis store needs exactly one of url, sentinels or cluster (found ${modes.length})`);
  }
  if (store.sentinels !== undefined && store.sentinelName === undefined) {
    report(['store', 'sentinelName'], 'is required with sentinels (the master group name)');
  }
  if (store.sentinelName !== undefined && store.sentinels === undefined) {
    report(['store', 'sentinelName'], 'is only used with sentinels');
  }
  const seconds = (value: unknown, fallback: number): number => {
    try {
      return value === undefined ? fallback : parseDuration(value as string | number);
    } catch {
      return NaN; // the schema reports it
    }
  };
  if (seconds(store.livenessTimeout, 3) <= seconds(store.heartbeatInterval, 1)) {
    report(['store', 'livenessTimeout'], 'must be longer than heartbeatInterval');
  }
}

function checkProviders(providers: unknown, report: Report): void {
  if (!Array.isArray(providers)) return;
  checkUnique(providers, 'id', ['identityProviders'], 'identity provider', report);
  providers.forEach((provider: unknown, index) => {
    if (!isObject(provider)) return;
    const at = (...rest: PathSegment[]): PathSegment[] => ['identityProviders', index, ...rest];
    if (provider.type === 'saml') {
      const hasCertificates = Array.isArray(provider.idpCertificates) && provider.idpCertificates.length > 0;
      if (provider.metadataUrl === undefined) {
        if (provider.entryPoint === undefined)
          report(at('entryPoint'), 'is required unless metadataUrl is set');
        if (!hasCertificates)
          report(at('idpCertificates'), 'at least one certificate is required unless metadataUrl is set');
      }
      if (provider.signAuthnRequests === true && provider.signingKey === undefined) {
        report(at('signingKey'), 'is required when signAuthnRequests is true');
      }
      if (provider.signingKey !== undefined && provider.signingCertificate === undefined) {
        report(at('signingCertificate'), 'is required with signingKey (published in the SP metadata)');
      }
      if (provider.decryptionCertificate !== undefined && provider.decryptionKey === undefined) {
        report(at('decryptionKey'), 'is required with decryptionCertificate');
      }
    } else if (provider.type === 'oidc') {
      const webOnly = provider.webIdentityOnly === true || provider.webIdentityOnly === 'true';
      if (!webOnly && provider.clientId === undefined) {
        report(at('clientId'), 'is required unless webIdentityOnly is true');
      }
      if (webOnly && provider.clientId === undefined && provider.audiences === undefined) {
        report(at('audiences'), 'is required when there is no clientId (the accepted aud values)');
      }
      if (!webOnly && Array.isArray(provider.scopes) && !provider.scopes.includes('openid')) {
        report(at('scopes'), 'must include openid');
      }
      if (webOnly && provider.clientSecret !== undefined) {
        report(at('clientSecret'), 'is not used when webIdentityOnly is true');
      }
    }
  });
}

function checkManagedPolicies(policies: unknown, report: Report): ReadonlySet<string> {
  if (!isObject(policies)) return new Set();
  for (const [name, document] of Object.entries(policies)) {
    if (isObject(document) && JSON.stringify(document).length > MAX_MANAGED_POLICY_CHARS) {
      report(
        ['policies', name],
        `a managed policy is at most ${MAX_MANAGED_POLICY_CHARS} characters (whitespace not counted)`,
      );
    }
  }
  return new Set(Object.keys(policies));
}

function checkRoles(roles: unknown, policyNames: ReadonlySet<string>, report: Report): void {
  if (!Array.isArray(roles)) return;
  checkUnique(roles, 'name', ['roles'], 'role', report);
  roles.forEach((role: unknown, index) => {
    if (!isObject(role)) return;
    if (Array.isArray(role.policies)) {
      const seen = new Set<unknown>();
      role.policies.forEach((name: unknown, position) => {
        if (typeof name !== 'string') return;
        if (!policyNames.has(name))
          report(
            ['roles', index, 'policies', position],
            withSuggestion(`policy "${name}" is not defined in policies`, name, policyNames),
          );
        if (seen.has(name))
          report(['roles', index, 'policies', position], `policy "${name}" is attached twice`);
        seen.add(name);
      });
    }
    if (typeof role.permissionsBoundary === 'string' && !policyNames.has(role.permissionsBoundary)) {
      report(
        ['roles', index, 'permissionsBoundary'],
        withSuggestion(
          `policy "${role.permissionsBoundary}" is not defined in policies`,
          role.permissionsBoundary,
          policyNames,
        ),
      );
    }
    if (isObject(role.inlinePolicies)) {
      const size = Object.values(role.inlinePolicies)
        .filter(isObject)
        .reduce((sum, document) => sum + JSON.stringify(document).length, 0);
      if (size > MAX_ROLE_INLINE_CHARS) {
        report(
          ['roles', index, 'inlinePolicies'],
          `a role's inline policies total at most ${MAX_ROLE_INLINE_CHARS} characters (whitespace not counted)`,
        );
      }
    }
  });
}

function checkRoutes(routes: unknown, report: Report): void {
  if (!Array.isArray(routes)) return;
  routes.forEach((route: unknown, index) => {
    if (!isObject(route) || typeof route.path !== 'string') return;
    const segments = route.path.split('/').filter((part) => part.length > 0);
    const params = new Set<string>();
    segments.forEach((segment, position) => {
      if (segment.startsWith('*')) {
        if (position !== segments.length - 1)
          report(['routes', index, 'path'], `'*' must be the last path segment`);
        params.add(segment.length > 1 ? segment.slice(1) : 'wildcard');
      } else if (segment.startsWith(':')) {
        const name = segment.slice(1);
        if (!/^[A-Za-z0-9_]+$/.test(name))
          report(['routes', index, 'path'], `path parameter "${segment}" must be :[A-Za-z0-9_]+`);
        if (params.has(name)) report(['routes', index, 'path'], `path parameter "${segment}" appears twice`);
        params.add(name);
      }
    });
    if (typeof route.resource !== 'string') return;
    for (const match of route.resource.matchAll(/\$\{([^}]*)\}/g)) {
      const name = match[1] ?? '';
      if (!params.has(name)) {
        report(['routes', index, 'resource'], `\${${name}} is not a parameter of path ${route.path}`);
      }
    }
  });
}

function checkClients(clients: unknown, report: Report): void {
  if (!Array.isArray(clients)) return;
  checkUnique(clients, 'id', ['clients'], 'client', report);
  clients.forEach((client: unknown, index) => {
    if (!isObject(client)) return;
    const methods = ['secret', 'jwks', 'jwksUri'].filter((key) => client[key] !== undefined);
    if (methods.length !== 1) {
      report(
        ['clients', index],
        `a client needs exactly one of secret, jwks or jwksUri (found ${methods.length})`,
      );
    }
  });
}

/** Trust anchor and profile ids are unique; a profile names configured roles and managed policies. */
function checkRolesAnywhere(
  raw: Record<string, unknown>,
  policyNames: ReadonlySet<string>,
  report: Report,
): void {
  if (Array.isArray(raw.trustAnchors))
    checkUnique(raw.trustAnchors, 'id', ['trustAnchors'], 'trust anchor', report);
  if (!Array.isArray(raw.profiles)) return;
  checkUnique(raw.profiles, 'id', ['profiles'], 'profile', report);
  const roleNames = new Set(
    (Array.isArray(raw.roles) ? raw.roles : []).map((role: unknown) =>
      isObject(role) ? role.name : undefined,
    ),
  );
  raw.profiles.forEach((profile: unknown, index) => {
    if (!isObject(profile)) return;
    if (Array.isArray(profile.roles)) {
      profile.roles.forEach((name: unknown, position) => {
        if (typeof name === 'string' && !roleNames.has(name))
          report(['profiles', index, 'roles', position], `role "${name}" is not defined in roles`);
      });
    }
    if (Array.isArray(profile.managedPolicies)) {
      profile.managedPolicies.forEach((name: unknown, position) => {
        if (typeof name === 'string' && !policyNames.has(name))
          report(
            ['profiles', index, 'managedPolicies', position],
            `policy "${name}" is not defined in policies`,
          );
      });
    }
  });
}

function checkUnique(
  items: readonly unknown[],
  key: string,
  at: PathSegment[],
  what: string,
  report: Report,
): void {
  const first = new Map<unknown, number>();
  items.forEach((item, index) => {
    if (!isObject(item) || typeof item[key] !== 'string') return;
    const previous = first.get(item[key]);
    if (previous === undefined) first.set(item[key], index);
    else
      report(
        [...at, index, key],
        `${what} "${item[key]}" is already defined at ${formatConfigPath([...at, previous])}`,
      );
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
