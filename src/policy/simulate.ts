import { isFedgateError } from '../errors/index.js';
import { authorize, type AuthorizationRequest, type PolicySet } from './authorize.js';
import { parsePolicy, type CompiledPolicy } from './compile-policy.js';
import { authorizeAssumeRole } from './evaluate-trust-policy.js';
import { prepareContext, type EvaluationContext } from './evaluation-context.js';
import { isPolicyDocumentError, pathWithKey } from './policy-document-error.js';
import { POLICY_SIZE_LIMITS } from './policy-size.js';
import type { ContextInput, Decision, PolicyKind, PrincipalIdentity } from './policy-types.js';

/** A named policy document as configuration holds it. */
export interface NamedPolicyDocument {
  readonly name: string;
  readonly document: unknown;
}

/** A configured role's documents, for `simulate` with `"role"`. */
export interface RolePolicyDocuments {
  identityPolicies: NamedPolicyDocument[];
  permissionsBoundary?: NamedPolicyDocument | undefined;
  guardrails: NamedPolicyDocument[];
  /** The resource policy matching the request's resource, if any. */
  resourcePolicy?: NamedPolicyDocument | undefined;
  /** The role's ARN (or a session ARN of it): the principal when the request names none. */
  principal: string;
}

/** Maps a role name (and the request's resource, to pick the matching resource policy) to its documents. */
export type RoleResolver = (role: string, resource?: string) => RolePolicyDocuments | undefined;

/** A simulation that could not run: the invalid input's path and why. */
export interface SimulationError {
  readonly error: { readonly code: string; readonly path: string; readonly message: string };
}

/** The answer to one simulation request (SPEC 7.6). */
export type SimulationResult = Decision | SimulationError;

const REQUEST_FIELDS = new Set([
  'identityPolicies',
  'permissionsBoundary',
  'sessionPolicies',
  'guardrails',
  'resourcePolicy',
  'trustPolicy',
  'principal',
  'action',
  'resource',
  'context',
  'role',
]);
const ROLE_FIELDS = ['identityPolicies', 'permissionsBoundary', 'guardrails', 'resourcePolicy'] as const;
const CALLER_FIELDS = [
  'identityPolicies',
  'permissionsBoundary',
  'sessionPolicies',
  'guardrails',
  'role',
] as const;

class RequestError extends Error {
  constructor(
    readonly code: string,
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Simulates one parsed request object (SPEC 7.6): compiles the policies it carries (or, with `"role"`, the
 * role's configured ones via `resolveRole`) and decides. Never throws for bad input: answers `{error}`.
 */
export function simulate(request: unknown, resolveRole?: RoleResolver): SimulationResult {
  try {
    return simulateOrThrow(request, resolveRole);
  } catch (error) {
    if (error instanceof RequestError)
      return { error: { code: error.code, path: error.path, message: error.message } };
    if (isFedgateError(error)) return { error: { code: error.code, path: '', message: error.detail } };
    throw error;
  }
}

function simulateOrThrow(raw: unknown, resolveRole: RoleResolver | undefined): Decision {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new RequestError('ValidationError', '', 'a simulation request must be a JSON object');
  }
  const request = raw as Record<string, unknown>;
  for (const key of Object.keys(request)) {
    if (!REQUEST_FIELDS.has(key))
      throw new RequestError('ValidationError', pathWithKey('', key), `unknown field "${key}"`);
  }
  const action = requiredString(request, 'action');
  const trustPolicy = singlePolicy(request.trustPolicy, 'trustPolicy', 'trust', undefined);
  // A trust-policy request is about assuming a role: its resource is the role's ARN, optional (same account).
  const resource =
    trustPolicy !== undefined && request.resource === undefined ? '' : requiredString(request, 'resource');
  const context = contextOf(request.context);
  const sessionPolicies = policyList(
    request.sessionPolicies,
    'sessionPolicies',
    'session',
    POLICY_SIZE_LIMITS.session,
  );

  let policies: PolicySet;
  let principal: PrincipalIdentity | undefined = principalOf(request.principal);
  if (request.role !== undefined) {
    if (typeof request.role !== 'string' || request.role === '')
      throw new RequestError('ValidationError', 'role', 'role must be a role name');
    for (const field of ROLE_FIELDS) {
      if (request[field] !== undefined) {
        throw new RequestError(
          'ValidationError',
          field,
          `"${field}" cannot be combined with "role" (the role's configured policies are used)`,
        );
      }
    }
    if (resolveRole === undefined)
      throw new RequestError('ValidationError', 'role', '"role" needs --config FILE');
    const role = resolveRole(request.role, resource);
    if (role === undefined)
      throw new RequestError('ValidationError', 'role', `no role named "${request.role}" is configured`);
    principal ??= principalFromArn(role.principal);
    policies = {
      identityPolicies: role.identityPolicies.map((p) => compileNamed(p, 'identity')),
      permissionsBoundary:
        role.permissionsBoundary === undefined
          ? undefined
          : compileNamed(role.permissionsBoundary, 'boundary'),
      sessionPolicies,
      guardrails: role.guardrails.map((p) => compileNamed(p, 'guardrail')),
      resourcePolicies:
        role.resourcePolicy === undefined ? [] : [compileNamed(role.resourcePolicy, 'resource')],
    };
  } else {
    const resourcePolicy = singlePolicy(request.resourcePolicy, 'resourcePolicy', 'resource', undefined);
    policies = {
      identityPolicies: policyList(
        request.identityPolicies,
        'identityPolicies',
        'identity',
        POLICY_SIZE_LIMITS.managed,
      ),
      permissionsBoundary: singlePolicy(
        request.permissionsBoundary,
        'permissionsBoundary',
        'boundary',
        POLICY_SIZE_LIMITS.managed,
      ),
      sessionPolicies,
      guardrails: policyList(request.guardrails, 'guardrails', 'guardrail', undefined),
      resourcePolicies: resourcePolicy === undefined ? [] : [resourcePolicy],
    };
  }
  if (trustPolicy === undefined) return authorize({ principal, action, resource, context }, policies);
  return simulateAssumeRole(trustPolicy, { principal, action, resource, context }, policies, request);
}

/**
 * The role-assumption decision as the STS computes it: the trust policy alone for a federated (or other
 * non-AWS) principal; for an AWS principal (role chaining) the trust policy together with the caller's own
 * identity policies, boundary, session policies and guardrails, the trust policy being the role's resource policy.
 */
function simulateAssumeRole(
  trustPolicy: CompiledPolicy,
  request: AuthorizationRequest,
  callerPolicies: PolicySet,
  raw: Record<string, unknown>,
): Decision {
  if (raw.resourcePolicy !== undefined) {
    throw new RequestError(
      'ValidationError',
      'resourcePolicy',
      'with "trustPolicy", the trust policy is the role\'s resource policy: give no "resourcePolicy"',
    );
  }
  if (request.principal?.type !== 'AWS') {
    const field = CALLER_FIELDS.find((name) => raw[name] !== undefined);
    if (field !== undefined) {
      throw new RequestError(
        'ValidationError',
        field,
        `"${field}" are the caller's own policies, which only an AWS principal (role chaining) has`,
      );
    }
    return authorizeAssumeRole(trustPolicy, request);
  }
  return authorizeAssumeRole(trustPolicy, request, { ...callerPolicies, resourcePolicies: [] });
}

function requiredString(request: Record<string, unknown>, field: string): string {
  const value = request[field];
  if (typeof value !== 'string' || value === '')
    throw new RequestError('ValidationError', field, `"${field}" must be a non-empty string`);
  return value;
}

function contextOf(raw: unknown): EvaluationContext {
  if (raw === undefined) return prepareContext({});
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new RequestError('ValidationError', 'context', 'context must be an object of key → value');
  }
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    const ok =
      isScalar(value) || (Array.isArray(value) && (value as unknown[]).every((item) => isScalar(item)));
    if (!ok) {
      throw new RequestError(
        'ValidationError',
        pathWithKey('context', key),
        'a context value must be a string, number, boolean or a list of them',
      );
    }
  }
  try {
    return prepareContext(raw as ContextInput);
  } catch (error) {
    if (isFedgateError(error)) throw new RequestError(error.code, 'context', error.detail);
    throw error;
  }
}

function isScalar(value: unknown): boolean {
  return (
    typeof value === 'string' ||
    typeof value === 'boolean' ||
    (typeof value === 'number' && Number.isFinite(value)) ||
    (typeof value === 'object' && value !== null && 'text' in value && typeof value.text === 'string')
  );
}

function principalOf(raw: unknown): PrincipalIdentity | undefined {
  if (raw === undefined) return undefined;
  if (typeof raw === 'string') {
    if (raw === '*' || raw.toLowerCase() === 'anonymous') return { type: 'Anonymous', id: '*' };
    if (raw.startsWith('arn:')) return principalFromArn(raw);
    throw new RequestError('ValidationError', 'principal', 'principal must be an ARN, "*" or {"type", "id"}');
  }
  if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
    const p = raw as Record<string, unknown>;
    const types = ['AWS', 'Federated', 'Service', 'Anonymous'];
    if (typeof p.type !== 'string' || !types.includes(p.type) || typeof p.id !== 'string') {
      throw new RequestError(
        'ValidationError',
        'principal',
        'principal needs "type" (AWS, Federated, Service, Anonymous) and "id"',
      );
    }
    const aliases = p.aliases;
    if (aliases !== undefined && (!Array.isArray(aliases) || !aliases.every((a) => typeof a === 'string'))) {
      throw new RequestError('ValidationError', 'principal.aliases', 'aliases must be a list of strings');
    }
    return {
      type: p.type as PrincipalIdentity['type'],
      id: p.id,
      ...(aliases === undefined ? {} : { aliases: aliases as string[] }),
      ...(typeof p.account === 'string' ? { account: p.account } : {}),
    };
  }
  throw new RequestError('ValidationError', 'principal', 'principal must be an ARN, "*" or {"type", "id"}');
}

/**
 * The principal an ARN denotes: a role session (aliased by its role ARN), an OIDC/SAML provider
 * (Federated, aliased by the issuer host), or any other IAM/STS ARN.
 */
export function principalFromArn(arn: string): PrincipalIdentity {
  const parts = arn.split(':');
  const partition = parts[1] ?? '';
  const service = parts[2] ?? '';
  const account = parts[4] ?? '';
  const resource = parts.slice(5).join(':');
  const withAccount = account === '' ? {} : { account };
  if (service === 'sts' && resource.startsWith('assumed-role/')) {
    const role = resource.split('/')[1] ?? '';
    return {
      type: 'AWS',
      id: arn,
      aliases: [`arn:${partition}:iam::${account}:role/${role}`],
      ...withAccount,
    };
  }
  if (service === 'iam' && resource.startsWith('oidc-provider/')) {
    return { type: 'Federated', id: arn, aliases: [resource.slice('oidc-provider/'.length)], ...withAccount };
  }
  if (service === 'iam' && resource.startsWith('saml-provider/'))
    return { type: 'Federated', id: arn, ...withAccount };
  return { type: 'AWS', id: arn, ...withAccount };
}

function policyList(
  raw: unknown,
  field: string,
  kind: PolicyKind,
  maxSize: number | undefined,
): CompiledPolicy[] {
  if (raw === undefined) return [];
  if (!Array.isArray(raw))
    throw new RequestError('ValidationError', field, `"${field}" must be a list of policy documents`);
  return (raw as unknown[]).map((doc, i) => compileAt(doc, `${field}[${i}]`, kind, maxSize));
}

function singlePolicy(
  raw: unknown,
  field: string,
  kind: PolicyKind,
  maxSize: number | undefined,
): CompiledPolicy | undefined {
  return raw === undefined ? undefined : compileAt(raw, field, kind, maxSize);
}

function compileAt(
  document: unknown,
  name: string,
  kind: PolicyKind,
  maxSize: number | undefined,
): CompiledPolicy {
  try {
    return parsePolicy(document, maxSize === undefined ? { name, kind } : { name, kind, maxSize });
  } catch (error) {
    if (isPolicyDocumentError(error)) {
      const path =
        error.path === ''
          ? name
          : error.path.startsWith('[')
            ? `${name}${error.path}`
            : `${name}.${error.path}`;
      throw new RequestError(error.code, path, error.description);
    }
    throw error;
  }
}

// Role documents come from configuration and repeat on every line of a --jsonl run: compile each once.
const compiledRoleDocuments = new WeakMap<object, Map<string, CompiledPolicy>>();

function compileNamed(named: NamedPolicyDocument, kind: PolicyKind): CompiledPolicy {
  const doc = named.document;
  if (typeof doc !== 'object' || doc === null) return compileAt(doc, named.name, kind, undefined);
  let byName = compiledRoleDocuments.get(doc);
  if (byName === undefined) {
    byName = new Map();
    compiledRoleDocuments.set(doc, byName);
  }
  const key = `${kind}\u0000${named.name}`;
  let compiled = byName.get(key);
  if (compiled === undefined) {
    compiled = compileAt(doc, named.name, kind, undefined);
    byName.set(key, compiled);
  }
  return compiled;
}
