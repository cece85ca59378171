import { NAME_PATTERN } from '../catalog/names.js';
import { X509Certificate, createPrivateKey } from 'node:crypto';
import { isIP } from 'node:net';
import { z } from 'zod';
import { formatDuration, parseDuration } from './parse-duration.js';
import { ASYMMETRIC_JWS_ALGORITHMS } from '../catalog/asymmetric-jws-algorithms.js';
import { profileSchema, trustAnchorSchema } from './roles-anywhere-schema.js';
import { policyDocumentSchema } from './policy-document-schema.js';

/*
 * The schema of SPEC section 3. It sees the file after `${VAR}` substitution and `{ file }` resolution
 * (load-config.ts), so PEM and policy fields hold text or parsed JSON here. Rules that span several
 * fields or sections (exactly one of, cross-references, uniqueness) live in check-config-rules.ts so that
 * they are reported even when some other field of the same object is wrong.
 */

const MIN_ROLE_SESSION = 15 * 60;
const MAX_ROLE_SESSION = 12 * 3600;

/** The name of a role, provider, managed policy or client: `[A-Za-z0-9+=,.@_-]{1,64}`. */
export const nameSchema = z.string().regex(NAME_PATTERN, 'must match [A-Za-z0-9+=,.@_-]{1,64}');

/** A duration (`900`, `"15m"`, `"1h"`, `"7d"`) resolved to seconds, optionally within bounds. */
function duration(bounds: { min?: number; max?: number } = {}) {
  return z
    .union([z.number(), z.string()], { error: 'must be a duration: seconds (900) or 15m, 1h, 7d' })
    .transform((value, ctx) => {
      try {
        return parseDuration(value);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message, input: value });
        return z.NEVER;
      }
    })
    .refine((seconds) => bounds.min === undefined || seconds >= bounds.min, {
      message: `must be at least ${formatDuration(bounds.min ?? 0)}`,
    })
    .refine((seconds) => bounds.max === undefined || seconds <= bounds.max, {
      message: `must be at most ${formatDuration(bounds.max ?? 0)}`,
    });
}

/** Integers that may arrive as strings after `${VAR}` substitution. */
function integer(min: number, max: number) {
  return z.preprocess(
    (value) => (typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value),
    z.number().int().min(min).max(max),
  );
}

/** Booleans that may arrive as `"true"` / `"false"` after `${VAR}` substitution. */
function boolean() {
  return z.preprocess((value) => (value === 'true' ? true : value === 'false' ? false : value), z.boolean());
}

function httpUrl(message = 'must be an http(s) URL') {
  return z.string().refine((value) => {
    try {
      const url = new URL(value);
      return url.protocol === 'https:' || url.protocol === 'http:';
    } catch {
      return false;
    }
  }, message);
}

const hostSchema = z.string().min(1, 'must be a host name or address');

const listenSchema = z.strictObject({
  host: hostSchema.default('127.0.0.1'),
  port: integer(0, 65_535),
});

const cidrSchema = z.string().refine((value) => {
  const [address = '', bits, extra] = value.split('/');
  const family = isIP(address);
  if (family === 0 || extra !== undefined) return false;
  if (bits === undefined) return true;
  if (!/^\d{1,3}$/.test(bits)) return false;
  return Number(bits) <= (family === 4 ? 32 : 128);
}, 'must be an IP address or CIDR (10.0.0.0/8, ::1/128)');

/**
 * One trusted proxy (`trustProxies[]`): a CIDR, and the one header family its proxy reports the original request
 * in. A bare CIDR string means `auto`: the family is read off the request, and a request carrying two families is
 * refused.
 */
const trustedProxySchema = z
  .union([
    cidrSchema,
    z.strictObject({
      cidr: cidrSchema,
      headers: z.enum(['forwarded', 'original', 'envoy', 'auto']).default('auto'),
    }),
  ])
  .transform((entry) => (typeof entry === 'string' ? { cidr: entry, headers: 'auto' as const } : entry));

const nodeAddressSchema = z.strictObject({ host: hostSchema, port: integer(1, 65_535) });

const memoryStoreSchema = z.strictObject({
  kind: z.literal('memory'),
  keyPrefix: z.string().default('fedgate:'),
});

const redisStoreSchema = z.strictObject({
  kind: z.literal('redis'),
  url: z
    .string()
    .refine((value) => /^rediss?:\/\//.test(value), 'must be a redis:// or rediss:// URL')
    .optional(),
  sentinels: z.array(nodeAddressSchema).min(1).optional(),
  sentinelName: z.string().min(1).optional(),
  cluster: z.array(nodeAddressSchema).min(1).optional(),
  keyPrefix: z.string().default('fedgate:'),
  commandTimeout: duration({ min: 0.001, max: 60 }).optional(),
  /** How long `fedgate serve` keeps retrying an unreachable store before it gives up (issue 19). */
  startupTimeout: duration({ min: 0, max: 3600 }).default(60),
  /** Revocation-channel liveness (issue 20): heartbeat period and the bound on a silent subscription. */
  heartbeatInterval: duration({ min: 0.05, max: 60 }).default(1),
  livenessTimeout: duration({ min: 0.1, max: 300 }).default(3),
  /** WAIT for this many replicas on revocation writes (0: no WAIT), at most `durableTimeout`. */
  durableReplicas: integer(0, 16).default(0),
  durableTimeout: duration({ min: 0.001, max: 60 }).default(0.5),
});

const storeSchema = z.discriminatedUnion('kind', [memoryStoreSchema, redisStoreSchema], {
  error: 'kind must be "memory" or "redis"',
});

const signingSchema = z.strictObject({
  algorithm: z.enum(['ES256', 'EdDSA', 'RS256']).default('ES256'),
  rotationInterval: duration({ min: 3600 }).default(30 * 86_400),
  /** How often every instance reloads the shared key ring (and notices it is gone from an empty store). */
  refreshInterval: duration({ min: 1, max: 3600 }).default(60),
  keyFile: z.string().min(1).optional(),
});

const sessionsSchema = z.strictObject({
  defaultDuration: duration({ min: MIN_ROLE_SESSION, max: MAX_ROLE_SESSION }).default(3600),
  portalDuration: duration({ min: 300, max: 30 * 86_400 }).default(8 * 3600),
  chainedMaxDuration: duration({ min: MIN_ROLE_SESSION, max: 3600 }).default(3600),
});

const cookiesSchema = z.strictObject({
  secure: boolean().default(true),
  domain: z.string().min(1).optional(),
});

const portalSchema = z.strictObject({
  allowedReturnHosts: z.array(z.string().min(1)).default([]),
  /** Shown in the portal's header and page titles (default `fedgate`). */
  title: z.string().min(1).max(80).optional(),
  /** An https: (or same-origin path, or data:image) URL of a logo shown beside the title. */
  logoUrl: z
    .string()
    .refine(
      (value) => /^(https:\/\/|\/(?!\/)|data:image\/(png|svg\+xml|jpeg|gif|webp);)/.test(value),
      'must be an https: URL, a path on the gateway, or a data:image URL',
    )
    .optional(),
  /** The portal's accent colour, `#rrggbb`: buttons and highlights; white text must be legible on it. */
  accentColor: z
    .string()
    .regex(/^#[0-9a-fA-F]{6}$/, 'must be a colour as #rrggbb')
    .optional(),
});

const auditSinkSchema = z.discriminatedUnion(
  'kind',
  [
    z.strictObject({ kind: z.literal('stdout') }),
    z.strictObject({ kind: z.literal('file'), path: z.string().min(1) }),
    z.strictObject({
      kind: z.literal('redis-stream'),
      stream: z.string().min(1).default('fedgate:audit'),
      maxLength: integer(1, Number.MAX_SAFE_INTEGER).default(100_000),
    }),
  ],
  { error: 'kind must be "stdout", "file" or "redis-stream"' },
);

const auditSchema = z.strictObject({
  sinks: z.array(auditSinkSchema).default([{ kind: 'stdout' }]),
  /** Refusals of invalid credentials at /authz are counted per source and reason over this window; 0: one line each. */
  refusalWindow: duration({ min: 0, max: 3600 }).default(10),
});

function rateLimit(points: number, seconds: number) {
  return z
    .strictObject({
      points: integer(1, 1_000_000).default(points),
      duration: duration({ min: 1 }).default(seconds),
    })
    .prefault({});
}

const rateLimitsSchema = z.strictObject({
  login: rateLimit(20, 60),
  sts: rateLimit(60, 60),
  token: rateLimit(120, 60),
});

const logSchema = z.strictObject({
  level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** The share (0 to 1) of allowed `/authz` decisions written to the log as an access line; denials are audited. */
  authzAccessSample: z.number().min(0).max(1).default(0),
});

const scopeElement = z.string().regex(/^(\*|[A-Za-z0-9._-]{1,64})$/, 'must be a region/service name or *');

/** SigV4: which credential-scope regions and services are accepted, and the clock skew (AWS: 15 minutes). */
const sigv4Schema = z.strictObject({
  regions: z.array(scopeElement).min(1).default(['*']),
  services: z.array(scopeElement).min(1).default(['*']),
  clockSkew: duration({ min: 1, max: 3600 }).default(900),
});

const authorizerSchema = z.strictObject({
  listen: listenSchema.optional(),
  cacheMaxEntries: integer(0, 10_000_000).default(10_000),
  cacheTtl: duration({ max: 3600 }).default(30),
  /** Tell the denied person which layer and statement denied (never the policy text), as AWS does. */
  explainDenials: z.boolean().default(true),
});

/** Access analysis (issue 15): how activity is kept and how far its cardinality may grow. */
const accessAnalysisSchema = z.strictObject({
  /** How long daily activity is kept (AWS keeps last-accessed data 400 days). */
  retention: duration({ min: 86_400, max: 3 * 365 * 86_400 }).default(400 * 86_400),
  /** How often buffered activity is written to the store. */
  flushInterval: duration({ min: 1, max: 300 }).default(5),
  /** Distinct actions recorded per role; more are counted as overflow. */
  maxActionsPerRole: integer(1, 100_000).default(500),
  /** Distinct resource groups recorded per role and action; more are counted as overflow. */
  maxResourcesPerAction: integer(1, 100_000).default(200),
});

/** A certificate as PEM text (a bare base64 DER body, as SAML metadata carries it, is wrapped). */
const certificateSchema = z.string().transform((value, ctx) => {
  const pem = value.includes('-----BEGIN')
    ? value.trim()
    : `-----BEGIN CERTIFICATE-----\n${(value.replace(/\s+/g, '').match(/.{1,64}/g) ?? []).join('\n')}\n-----END CERTIFICATE-----`;
  try {
    new X509Certificate(pem);
    return `${pem}\n`;
  } catch {
    ctx.addIssue({ code: 'custom', message: 'is not a PEM (or base64 DER) X.509 certificate' });
    return z.NEVER;
  }
});

/** A private key as PEM text; never echoed in messages. */
const privateKeySchema = z.string().refine((value) => {
  try {
    createPrivateKey(value);
    return true;
  } catch {
    return false;
  }
}, 'is not a PEM private key');

const samlMapping = z.string().regex(/^attr:.+$/, 'must be attr:<attribute name>');
const oidcMapping = z.string().regex(/^claim:.+$/, 'must be claim:<claim name>');

const samlProviderSchema = z.strictObject({
  id: nameSchema,
  type: z.literal('saml'),
  displayName: z.string().min(1).optional(),
  issuer: z.string().min(1),
  entryPoint: httpUrl().optional(),
  metadataUrl: httpUrl().optional(),
  metadataRefresh: duration({ min: 60 }).default(3600),
  allowIdpInitiated: boolean().default(false),
  idpCertificates: z.array(certificateSchema).default([]),
  wantAssertionsSigned: boolean().default(true),
  wantResponseSigned: boolean().default(false),
  signAuthnRequests: boolean().default(false),
  signingKey: privateKeySchema.optional(),
  signingCertificate: certificateSchema.optional(),
  decryptionKey: privateKeySchema.optional(),
  decryptionCertificate: certificateSchema.optional(),
  subject: z
    .string()
    .regex(/^(nameID|attr:.+)$/, 'must be nameID or attr:<attribute name>')
    .default('nameID'),
  groups: samlMapping.optional(),
  sessionName: z
    .string()
    .regex(/^(nameID|attr:.+)$/, 'must be nameID or attr:<attribute name>')
    .optional(),
  tags: z.record(z.string().min(1).max(128), samlMapping).default({}),
  mfaAuthnContexts: z.array(z.string().min(1)).default([]),
  sloUrl: httpUrl().optional(),
  /** RSA-SHA1 signatures and SHA-1 digests are refused unless this is true (the validator warns). */
  allowSha1: boolean().default(false),
  /** How long after its IssueInstant an assertion is accepted (plus clock skew). */
  maxAssertionAge: duration({ min: 30, max: 3600 }).default(300),
});

/** JWS algorithms an external token may use: asymmetric only, never `none` or HMAC. */
export const ALLOWED_TOKEN_ALGORITHMS = ASYMMETRIC_JWS_ALGORITHMS;

const oidcProviderSchema = z.strictObject({
  id: nameSchema,
  type: z.literal('oidc'),
  displayName: z.string().min(1).optional(),
  issuer: httpUrl('must be the issuer URL (https://…)'),
  clientId: z.string().min(1).optional(),
  clientSecret: z.string().min(1).optional(),
  scopes: z.array(z.string().min(1)).default(['openid']),
  webIdentityOnly: boolean().default(false),
  audiences: z.array(z.string().min(1)).min(1).optional(),
  subject: oidcMapping.default('claim:sub'),
  groups: oidcMapping.optional(),
  sessionName: oidcMapping.optional(),
  tags: z.record(z.string().min(1).max(128), oidcMapping).default({}),
  userinfo: boolean().default(false),
  allowedAlgorithms: z
    .array(
      z.enum(ALLOWED_TOKEN_ALGORITHMS, { error: `must be one of ${ALLOWED_TOKEN_ALGORITHMS.join(', ')}` }),
    )
    .min(1)
    .default([...ALLOWED_TOKEN_ALGORITHMS]),
  jwksUri: httpUrl().optional(),
  replayProtection: boolean().default(false),
});

const identityProviderSchema = z.discriminatedUnion('type', [samlProviderSchema, oidcProviderSchema], {
  error: 'type must be "saml" or "oidc"',
});

const tagsSchema = z.record(
  z.string().min(1).max(128, 'tag keys are at most 128 characters'),
  z.string().max(256, 'tag values are at most 256 characters'),
);

const roleSchema = z.strictObject({
  name: nameSchema,
  description: z.string().optional(),
  appUrl: httpUrl().optional(),
  maxSessionDuration: duration({ min: MIN_ROLE_SESSION, max: MAX_ROLE_SESSION }).optional(),
  trustPolicy: policyDocumentSchema,
  policies: z.array(nameSchema).max(10, 'a role has at most 10 managed policies').default([]),
  inlinePolicies: z.record(nameSchema, policyDocumentSchema).default({}),
  permissionsBoundary: nameSchema.optional(),
  tags: tagsSchema.default({}),
});

const ARN_PATTERN = /^arn:[^:\s]+:[^:\s]+:[^:\s]*:[^:\s]*:\S+$/;

const resourceSchema = z.strictObject({
  arn: z
    .string()
    .regex(ARN_PATTERN, 'must be an ARN pattern arn:<partition>:<service>:<region>:<account>:<resource>'),
  tags: tagsSchema.default({}),
  policy: policyDocumentSchema.optional(),
});

const HTTP_METHODS = [
  'GET',
  'HEAD',
  'POST',
  'PUT',
  'PATCH',
  'DELETE',
  'OPTIONS',
  'TRACE',
  'CONNECT',
  '*',
] as const;

const routeSchema = z.strictObject({
  host: z
    .string()
    .regex(/^(\*|(\*\.)?[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*)(:\d{1,5})?$/, 'must be a host name or *.domain')
    .transform((host) => host.toLowerCase()),
  methods: z
    .array(
      z
        .string()
        .transform((method) => method.toUpperCase())
        .pipe(z.enum(HTTP_METHODS, { error: 'must be an HTTP method' })),
    )
    .min(1)
    .optional(),
  path: z.string().regex(/^(\*|\/.*)$/, 'must start with / (or be *)'),
  action: z.string().regex(/^[A-Za-z0-9_-]+:[A-Za-z0-9_*?-]+$/, 'must be service:Action'),
  resource: z.string().min(1),
  onUnauthenticated: z.enum(['deny', 'redirect']).default('deny'),
  /** Lower-case the path before matching and before `${param}` substitution (upstreams that route case-insensitively). */
  caseInsensitive: z.boolean().default(false),
  /**
   * SigV4-signed requests: which `x-amz-content-sha256` is accepted (forward auth never sees the body). `any`: a
   * body hash (the upstream checks it) or UNSIGNED-PAYLOAD; `signed`: UNSIGNED-PAYLOAD refused; `unsigned`:
   * UNSIGNED-PAYLOAD required.
   */
  sigv4Payload: z.enum(['any', 'signed', 'unsigned']).default('any'),
});

const clientSchema = z.strictObject({
  id: nameSchema,
  secret: z.string().min(1).optional(),
  jwks: z
    .strictObject(
      { keys: z.array(z.record(z.string(), z.unknown())).min(1) },
      { error: 'must be a JWKS {"keys": [...]}' },
    )
    .optional(),
  jwksUri: httpUrl().optional(),
  audiences: z.array(z.string().min(1)).min(1),
  scopes: z.array(z.string().min(1)).optional(),
});

const publicUrlSchema = httpUrl('must be the public http(s) base URL')
  .refine((value) => {
    // zod runs every refinement even after the URL one failed: an unparsable value is reported once, above.
    if (!URL.canParse(value)) return true;
    const url = new URL(value);
    return url.search === '' && url.hash === '';
  }, 'must not have a query or fragment')
  .transform((value) => value.replace(/\/+$/, ''));

/** The configuration file as written, after substitution and file references (SPEC section 3). */
export const configFileSchema = z.strictObject({
  publicUrl: publicUrlSchema,
  partition: z
    .string()
    .regex(/^[a-z][a-z0-9-]{0,31}$/, 'must be lowercase letters, digits and -')
    .default('fedgate'),
  account: z
    .string({ error: 'must be a 12-digit string (quote it in YAML: "000000000000")' })
    .regex(/^\d{12}$/, 'must be 12 digits')
    .default('000000000000'),
  listen: listenSchema.prefault({ port: 8080 }),
  authorizer: authorizerSchema.prefault({}),
  trustProxies: z.array(trustedProxySchema).default([]),
  store: storeSchema.prefault({ kind: 'memory' }),
  signing: signingSchema.prefault({}),
  sessions: sessionsSchema.prefault({}),
  sigv4: sigv4Schema.prefault({}),
  cookies: cookiesSchema.prefault({}),
  portal: portalSchema.prefault({}),
  audit: auditSchema.prefault({}),
  rateLimits: rateLimitsSchema.prefault({}),
  log: logSchema.prefault({}),
  accessAnalysis: accessAnalysisSchema.prefault({}),
  identityProviders: z.array(identityProviderSchema).default([]),
  policies: z.record(nameSchema, policyDocumentSchema).default({}),
  guardrails: z.array(policyDocumentSchema).default([]),
  roles: z.array(roleSchema).default([]),
  resources: z.array(resourceSchema).default([]),
  routes: z.array(routeSchema).default([]),
  clients: z.array(clientSchema).default([]),
  trustAnchors: z.array(trustAnchorSchema).default([]),
  profiles: z.array(profileSchema).default([]),
});

/** The schema that turns the file into the resolved config: defaults that depend on other fields applied. */
export const gatewayConfigSchema = configFileSchema.transform((file) => ({
  ...file,
  identityProviders: file.identityProviders.map((provider) =>
    provider.type === 'oidc'
      ? {
          ...provider,
          audiences: provider.audiences ?? (provider.clientId === undefined ? [] : [provider.clientId]),
        }
      : provider,
  ),
  roles: file.roles.map((role) => ({
    ...role,
    maxSessionDuration: role.maxSessionDuration ?? file.sessions.defaultDuration,
  })),
}));

/** Recursively read-only view of a value. */
export type DeepReadonly<T> = T extends (infer U)[]
  ? readonly DeepReadonly<U>[]
  : T extends object
    ? { readonly [K in keyof T]: DeepReadonly<T[K]> }
    : T;

/** The configuration as a user writes it (input of the schema, after substitution). */
export type GatewayConfigInput = z.input<typeof configFileSchema>;

/** The resolved, frozen configuration the gateway runs with; every duration is in seconds. */
export type GatewayConfig = DeepReadonly<z.output<typeof gatewayConfigSchema>>;

/** A policy document as parsed JSON; its grammar is the policy engine's business. */
export type PolicyDocumentJson = GatewayConfig['policies'][string];

/** One configured identity provider (SAML or OIDC). */
export type IdentityProviderConfig = GatewayConfig['identityProviders'][number];

/** A SAML 2.0 identity provider. */
export type SamlProviderConfig = Extract<IdentityProviderConfig, { type: 'saml' }>;

/** An OpenID Connect identity provider; `audiences` defaults to `[clientId]`. */
export type OidcProviderConfig = Extract<IdentityProviderConfig, { type: 'oidc' }>;

/** One role; `maxSessionDuration` defaults to `sessions.defaultDuration`. */
export type RoleConfig = GatewayConfig['roles'][number];

/** Tags and an optional resource policy for an ARN pattern. */
export type ResourceConfig = GatewayConfig['resources'][number];

/** Access analysis: activity retention, flush interval and cardinality caps. */
export type AccessAnalysisConfig = GatewayConfig['accessAnalysis'];

/** One authorizer route: request → action and resource. */
export type RouteConfig = GatewayConfig['routes'][number];

/** An application allowed to use token exchange. */
export type ClientConfig = GatewayConfig['clients'][number];

/** Where sessions, replay caches and revocations live. */
export type StoreConfig = GatewayConfig['store'];

/** Session-credential signing: algorithm, rotation, optional key file (absolute path). */
export type SigningConfig = GatewayConfig['signing'];

/** One audit sink. */
export type AuditSinkConfig = GatewayConfig['audit']['sinks'][number];

/** An X.509 trust anchor (IAM Roles Anywhere style): CA certificates (PEM each) and CRL sources. */
export type TrustAnchorConfig = GatewayConfig['trustAnchors'][number];

/** A Roles Anywhere profile: roles, duration, session policies, attribute mapping. */
export type ProfileConfig = GatewayConfig['profiles'][number];

/** A listener address. */
export type ListenConfig = GatewayConfig['listen'];
