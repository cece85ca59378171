import type { AuditEvent } from '../audit/index.js';
import { FedgateError, isFedgateError } from '../errors/index.js';
import {
  assertPackedPolicySize,
  decideAssumeRole,
  packedPolicySize,
  requestContextKeys,
  resolveSessionPolicies,
  type SessionTags,
  type TrustContext,
} from '../federation/index.js';
import type { PolicyCatalog, RoleDefinition } from '../roles/index.js';
import {
  assumedRoleIdFor,
  DEFAULT_SESSION_AUDIENCE,
  isoSeconds,
  type SessionService,
} from '../sessions/index.js';
import type { Store } from '../store/index.js';
import { validateCertificatePath } from './certificate-path.js';
import { certificateTags, type AttributeMapping } from './certificate-tags.js';
import { CreateSessionRefused, type CreateSessionRefusalReason } from './create-session-refusal.js';
import { firstAttribute } from './distinguished-name.js';
import { parseCreateSessionInput, type CreateSessionInput } from './create-session-input.js';
import {
  anchorProvider,
  certificateSubject,
  CREATE_SESSION_ACTION,
  ROLES_ANYWHERE_PRINCIPALS,
  rolesAnywhereIdOf,
  subjectArn,
  trustAnchorArn,
  type RolesAnywhereScope,
} from './roles-anywhere-arns.js';
import type { TrustAnchorRegistry } from './trust-anchor-registry.js';
import { verifyX509Request, type SignedHttpRequest } from './x509-request-signature.js';

/** A configured profile, as CreateSession reads it. */
export interface WorkloadProfile {
  readonly id: string;
  readonly roles: readonly string[];
  readonly durationSeconds: number;
  readonly sessionPolicy?: unknown;
  readonly managedPolicies: readonly string[];
  readonly requireInstanceProperties: boolean;
  readonly acceptRoleSessionName: boolean;
  readonly attributeMapping: AttributeMapping;
  readonly enabled: boolean;
}

/** What the service reads on every call (so configuration reloads apply at once). */
export interface RolesAnywhereState {
  readonly scope: RolesAnywhereScope;
  readonly catalog: PolicyCatalog;
  readonly anchors: TrustAnchorRegistry;
  readonly profiles: readonly WorkloadProfile[];
}

/** Everything the service needs from the composition root. */
export interface RolesAnywhereServiceOptions {
  readonly state: () => RolesAnywhereState;
  readonly sessions: Pick<SessionService, 'issue' | 'revokeSubject'>;
  /** Replay cache: each signature is accepted once. */
  readonly store: Pick<Store, 'setIfAbsent'>;
  readonly audit: { record(event: AuditEvent): void };
  /** Epoch ms. */
  readonly now?: () => number;
}

/** Per-request facts from the HTTP layer. */
export interface CreateSessionContext {
  readonly sourceIp?: string | undefined;
  readonly requestId?: string | undefined;
}

/** AWS's CreateSession answer (https://docs.aws.amazon.com/rolesanywhere/latest/userguide/authentication-create-session.html). */
export interface CreateSessionResponse {
  readonly credentialSet: readonly {
    readonly assumedRoleUser: { readonly arn: string; readonly assumedRoleId: string };
    readonly credentials: {
      readonly accessKeyId: string;
      readonly secretAccessKey: string;
      readonly sessionToken: string;
      readonly expiration: string;
    };
    readonly packedPolicySize: number;
    readonly roleArn: string;
    readonly sourceIdentity: string;
  }[];
  readonly subjectArn: string;
}

/** A certificate named by serial and issuer, for revocation. */
export interface CertificateReference {
  /** Hex, any case, leading zeros ignored. */
  readonly serial: string;
  /** RFC 4514 issuer DN, as the session's subject carries it. */
  readonly issuerDn: string;
}

/** What the audit event of a request says, filled in as the pipeline learns it. */
interface Notes {
  refusal?: CreateSessionRefusalReason;
  subject?: string;
  provider?: string;
  role?: string;
  details: {
    action: string;
    certificateSerial?: string;
    certificateIssuer?: string;
    trustAnchor?: string;
    profile?: string;
  };
}

const MIN_SESSION_SECONDS = 900;
const MAX_SESSION_SECONDS = 12 * 3600;

/**
 * IAM Roles Anywhere's CreateSession for fedgate: a workload signs the request with the private key of its X.509
 * certificate and gets an ordinary fedgate role session. The pipeline, in order: the signature (and its date),
 * the replay cache, the body, the trust anchor, the certificate path (chain, validity, usage, key, CRL), the
 * profile and the role, the trust policy (principal `rolesanywhere.amazonaws.com`, with the certificate's tags
 * and source identity), the profile's session policies and duration, then issue. Every outcome is audited; a
 * refusal issues nothing.
 */
export class RolesAnywhereService {
  readonly #options: RolesAnywhereServiceOptions;
  readonly #now: () => number;

  constructor(options: RolesAnywhereServiceOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  /** `POST /sessions`. */
  async createSession(
    request: SignedHttpRequest,
    ctx: CreateSessionContext = {},
  ): Promise<CreateSessionResponse> {
    const notes: Notes = { details: { action: CREATE_SESSION_ACTION } };
    try {
      const response = await this.#createSession(request, ctx, notes);
      return response;
    } catch (error) {
      if (error instanceof CreateSessionRefused) notes.refusal = error.reason;
      this.#audit(ctx, notes, error);
      throw error;
    }
  }

  /**
   * Ends every session a certificate opened (all instances refuse them within a second, through the session
   * service's revocation channel). Sessions opened later are not blocked: list the certificate in its CA's CRL.
   */
  async revokeCertificate(
    certificate: CertificateReference,
    ctx: CreateSessionContext = {},
  ): Promise<string> {
    const serial = certificate.serial.toLowerCase().replace(/^0+(?=.)/, '');
    if (!/^[0-9a-f]{1,40}$/.test(serial)) throw new FedgateError('ValidationError', 'serial must be hex');
    const subject = certificateSubject(serial, certificate.issuerDn);
    await this.#options.sessions.revokeSubject(subject);
    this.#options.audit.record({
      event: 'session.revoked',
      outcome: 'success',
      subject,
      ...(ctx.sourceIp === undefined ? {} : { sourceIp: ctx.sourceIp }),
      ...(ctx.requestId === undefined ? {} : { requestId: ctx.requestId }),
      details: { scope: 'certificate', certificateSerial: serial, certificateIssuer: certificate.issuerDn },
    });
    return subject;
  }

  async #createSession(
    request: SignedHttpRequest,
    ctx: CreateSessionContext,
    notes: Notes,
  ): Promise<CreateSessionResponse> {
    const now = this.#now();
    const verified = verifyX509Request(request, now);
    const { certificate } = verified;
    const subject = certificateSubject(certificate.serialHex, certificate.issuer.text);
    notes.subject = subject;
    notes.details.certificateSerial = certificate.serialHex;
    notes.details.certificateIssuer = certificate.issuer.text;
    await this.#refuseReplay(verified.signedDigest, verified.signedAt, now);

    let body: CreateSessionInput;
    try {
      body = parseCreateSessionInput(request.body, request.query);
    } catch (error) {
      notes.refusal = 'MalformedRequestBody';
      throw error;
    }
    const state = this.#options.state();
    const { scope } = state;
    const anchorId = rolesAnywhereIdOf(scope, 'trust-anchor', body.trustAnchorArn);
    const anchor = anchorId === undefined ? undefined : state.anchors.anchor(anchorId);
    if (anchor === undefined) throw new CreateSessionRefused('UnknownTrustAnchor');
    notes.provider = anchorProvider(anchor.id);
    notes.details.trustAnchor = anchor.id;
    if (!anchor.enabled) throw new CreateSessionRefused('TrustAnchorDisabled');
    if (anchor.awaitingCrl) throw new CreateSessionRefused('RevocationListUnavailable');
    const path = validateCertificatePath(certificate, verified.intermediates, anchor, now);
    if (!path.ok)
      throw new CreateSessionRefused(path.reason, `certificate ${path.position ?? 0} of the path`);

    const profileId = rolesAnywhereIdOf(scope, 'profile', body.profileArn);
    const profile = state.profiles.find((candidate) => candidate.id === profileId);
    if (profile === undefined) throw new CreateSessionRefused('UnknownProfile');
    notes.details.profile = profile.id;
    if (!profile.enabled) throw new CreateSessionRefused('ProfileDisabled');
    const role = state.catalog.roleByArn(body.roleArn);
    notes.role = role?.name ?? body.roleArn;
    if (role === undefined) throw new CreateSessionRefused('UnknownRole');
    if (!profile.roles.includes(role.name)) throw new CreateSessionRefused('RoleNotInProfile');
    if (body.roleSessionName !== undefined && !profile.acceptRoleSessionName)
      throw new CreateSessionRefused('RoleSessionNameNotAccepted');
    if (profile.requireInstanceProperties && body.instanceProperties === undefined)
      throw new CreateSessionRefused('InstancePropertiesRequired');

    let tags: SessionTags;
    try {
      tags = certificateTags(certificate, profile.attributeMapping);
    } catch (error) {
      if (!isFedgateError(error)) throw error;
      throw new CreateSessionRefused('UntaggableCertificateAttribute', error.detail);
    }
    const sessionName = body.roleSessionName ?? sessionNameOf(certificate.serialHex);
    const sourceIdentity = sourceIdentityOf(firstAttribute(certificate.subject, 'CN'));
    const anchorArn = trustAnchorArn(scope, anchor.id);
    const context: TrustContext = {
      ...requestContextKeys({
        sessionName,
        sourceIdentity,
        requestTags: tags,
        transitiveTagKeys: [],
        ...(ctx.sourceIp === undefined ? {} : { sourceIp: ctx.sourceIp }),
        now,
      }),
      'aws:SourceArn': anchorArn,
      'aws:SourceAccount': scope.account,
    };
    for (const [key, value] of Object.entries(tags)) context[`aws:PrincipalTag/${key}`] = value;
    const [awsName, fedgateName] = ROLES_ANYWHERE_PRINCIPALS;
    const trust = decideAssumeRole(role, {
      principal: { type: 'Service', id: awsName, aliases: [fedgateName] },
      action: 'sts:AssumeRole',
      context,
      passesTags: Object.keys(tags).length > 0,
      setsSourceIdentity: true,
    });
    if (!trust.allowed)
      throw new CreateSessionRefused(
        trust.reason === 'RoleNotInIdpRoleList' ? 'TrustPolicyDenied' : trust.reason,
      );

    const policies = resolveSessionPolicies(
      {
        policy: profile.sessionPolicy === undefined ? undefined : JSON.stringify(profile.sessionPolicy),
        policyArns: profile.managedPolicies,
      },
      (name) => state.catalog.managedPolicyDocument(name),
    );
    const packed = assertPackedPolicySize(packedPolicySize(policies, tags));
    const durationSeconds = lifetimeSeconds(body.durationSeconds, profile, role, certificate.notAfter, now);
    const issued = await this.#options.sessions.issue({
      roleName: role.name,
      sessionName,
      provider: anchorProvider(anchor.id),
      subject,
      tags,
      transitiveTagKeys: [],
      sourceIdentity,
      mfa: false,
      amr: ['x509'],
      authTime: Math.floor(now / 1000),
      chain: 0,
      sessionPolicies: policies.documents,
      hasSessionPolicy: policies.documents.length > 0,
      audience: DEFAULT_SESSION_AUDIENCE,
      durationSeconds,
    });
    const { session } = issued;
    this.#options.audit.record({
      event: 'role.assumed',
      outcome: 'success',
      principal: session.principalArn,
      provider: session.provider,
      subject,
      role: role.name,
      session: session.id,
      ...(ctx.sourceIp === undefined ? {} : { sourceIp: ctx.sourceIp }),
      ...(ctx.requestId === undefined ? {} : { requestId: ctx.requestId }),
      details: {
        ...notes.details,
        roleArn: role.arn,
        accessKeyId: session.accessKeyId,
        durationSeconds,
        sourceIdentity,
        sessionPolicy: session.hasSessionPolicy,
      },
    });
    return {
      credentialSet: [
        {
          assumedRoleUser: { arn: session.principalArn, assumedRoleId: assumedRoleIdFor(session) },
          credentials: {
            accessKeyId: issued.accessKeyId,
            secretAccessKey: issued.secretAccessKey,
            sessionToken: issued.token,
            expiration: isoSeconds(Math.floor(issued.expiration.getTime() / 1000)),
          },
          packedPolicySize: Math.max(packed, issued.packedPolicySize),
          roleArn: role.arn,
          sourceIdentity,
        },
      ],
      subjectArn: subjectArn(scope, subject),
    };
  }

  /**
   * Each signed request opens at most one session: the digest of what was signed (its string to sign, which covers
   * the certificate, the date, the query and the body) is kept for as long as its date could still pass the window
   * check. Keyed on what was signed rather than on the signature bytes, so that an ECDSA signature's twin
   * (r, n − s), which verifies as well, is the same request. A store failure refuses (StoreUnavailable), never
   * lets the request through.
   */
  async #refuseReplay(signedDigest: string, signedAt: number, now: number): Promise<void> {
    const key = `rolesanywhere:signed:${signedDigest}`;
    const ttlMs = Math.max(1000, signedAt + 2 * 300_000 - now);
    let fresh: boolean;
    try {
      fresh = await this.#options.store.setIfAbsent(key, '1', ttlMs);
    } catch (error) {
      if (isFedgateError(error)) throw error;
      throw new FedgateError('StoreUnavailable', 'The session store is unavailable.', { cause: error });
    }
    if (!fresh) throw new CreateSessionRefused('SignatureReplayed');
  }

  #audit(ctx: CreateSessionContext, notes: Notes, error: unknown): void {
    const code = isFedgateError(error) ? error.code : 'InternalError';
    this.#options.audit.record({
      event: 'role.refused',
      outcome:
        code === 'StoreUnavailable' || code === 'InternalError' || code === 'ServiceUnavailable'
          ? 'failure'
          : 'denied',
      reason: code,
      ...(notes.subject === undefined ? {} : { subject: notes.subject }),
      ...(notes.provider === undefined ? {} : { provider: notes.provider }),
      ...(notes.role === undefined ? {} : { role: notes.role }),
      ...(ctx.sourceIp === undefined ? {} : { sourceIp: ctx.sourceIp }),
      ...(ctx.requestId === undefined ? {} : { requestId: ctx.requestId }),
      details: { ...notes.details, ...(notes.refusal === undefined ? {} : { refusal: notes.refusal }) },
    });
  }
}

/** AWS names the session after the certificate's serial in hex (2 characters at least, as session names are). */
function sessionNameOf(serialHex: string): string {
  return serialHex.length >= 2 ? serialHex.slice(-64) : `0${serialHex}`;
}

/**
 * AWS sets the source identity to the subject's common name, as `CN=<name>`; characters a source identity may
 * not hold become `-`, and it is cut to 64 characters (`CN=-` without a CN).
 */
function sourceIdentityOf(commonName: string | undefined): string {
  const raw = `CN=${commonName ?? '-'}`;
  return raw.replace(/[^\w+=,.@-]/g, '-').slice(0, 64);
}

/**
 * The session lifetime: the request's `durationSeconds` (900 … 43200, else ValidationError) or the profile's,
 * then capped by the profile's duration and the role's maximum, and never beyond the certificate's expiry.
 */
function lifetimeSeconds(
  requested: number | undefined,
  profile: WorkloadProfile,
  role: RoleDefinition,
  certificateNotAfter: number,
  now: number,
): number {
  if (requested !== undefined && (requested < MIN_SESSION_SECONDS || requested > MAX_SESSION_SECONDS))
    throw new FedgateError(
      'ValidationError',
      `durationSeconds must be from ${MIN_SESSION_SECONDS} to ${MAX_SESSION_SECONDS}`,
    );
  const seconds = Math.min(
    requested ?? profile.durationSeconds,
    profile.durationSeconds,
    role.maxSessionDurationSeconds,
  );
  return Math.max(1, Math.min(seconds, Math.floor((certificateNotAfter - now) / 1000)));
}
