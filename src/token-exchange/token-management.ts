import { decodeJwt } from 'jose';
import { isFedgateError } from '../errors/index.js';
import type { RoleSession, SessionService } from '../sessions/index.js';
import type { ClientRegistry, RegisteredClient } from './client-registry.js';
import { clientCredentialsOf } from './client-credentials.js';
import { OAuthError } from './oauth-error.js';
import type { AuditRecorder, TokenRequestContext } from './token-exchange-ports.js';
import type { TokenEndpointInput } from './token-request.js';
import { singleParameter } from './token-request.js';

/** The RFC 7662 §2.2 introspection response: `active`, and for an active token what it stands for. */
export type IntrospectionResponse =
  | { readonly active: false }
  | {
      readonly active: true;
      readonly scope?: string;
      readonly client_id?: string;
      readonly username: string;
      readonly token_type: 'Bearer';
      readonly exp: number;
      readonly iat: number;
      readonly nbf: number;
      readonly sub: string;
      readonly aud: string;
      readonly iss: string;
      readonly jti: string;
      /** fedgate's own members: the role ARN and the federated subject the session derives from. */
      readonly role: string;
      readonly fsub: string;
    };

/** What the token management endpoints need from the composition root. */
export interface TokenManagementOptions {
  readonly clients: () => ClientRegistry;
  readonly sessions: Pick<SessionService, 'verify' | 'revokeSession'>;
  /** `publicUrl`: the `iss` of fedgate credentials. */
  readonly issuer: () => string;
  readonly audit: AuditRecorder;
}

/** Longer than any fedgate credential (a few kB); a longer `token` parameter is not one of ours. */
const MAX_TOKEN_LENGTH = 16 * 1024;

/** `token_type_hint` values RFC 7009 §2.1 and RFC 7662 §2.1 define; fedgate issues access tokens only. */
const KNOWN_HINTS = new Set(['access_token', 'refresh_token']);

/**
 * RFC 7009 token revocation and RFC 7662 token introspection for the registered clients (`clients`), with the
 * token endpoint's client authentication.
 *
 * Which tokens a client may see or end: those issued to it (an exchanged token's `client_id`), and those whose
 * audience is the client itself (a resource server registered as a client). Any other token introspects as
 * inactive, so a client cannot probe other parties' credentials; revoking one is refused (RFC 7009 §2.1).
 */
export class TokenManagementService {
  readonly #options: TokenManagementOptions;

  constructor(options: TokenManagementOptions) {
    this.#options = options;
  }

  /** RFC 7662 §2.1: the token's state for an authenticated client; never an error for a bad token. */
  async introspect(
    input: TokenEndpointInput,
    _context: TokenRequestContext = {},
  ): Promise<IntrospectionResponse> {
    const { client, token } = await this.#authenticate(input);
    const session = await this.#liveSession(token);
    if (session === undefined || !mayManage(client, session)) return { active: false };
    return {
      active: true,
      ...(session.scope === undefined ? {} : { scope: session.scope }),
      ...(session.clientId === undefined ? {} : { client_id: session.clientId }),
      username: session.sessionName,
      token_type: 'Bearer',
      exp: session.expiresAt,
      iat: session.issuedAt,
      nbf: session.issuedAt,
      sub: session.principalArn,
      aud: session.audience,
      iss: this.#options.issuer(),
      jti: session.id,
      role: session.roleArn,
      fsub: session.subject,
    };
  }

  /**
   * RFC 7009 §2.1: revokes a token issued to the authenticated client (and, through the session ancestry, every
   * session derived from it). An invalid, expired or already revoked token is not an error (§2.2).
   */
  async revoke(input: TokenEndpointInput, context: TokenRequestContext = {}): Promise<void> {
    const { client, token } = await this.#authenticate(input);
    const session = await this.#liveSession(token);
    if (session === undefined) return;
    if (!mayManage(client, session)) {
      this.#options.audit.record({
        event: 'session.revoked',
        outcome: 'denied',
        reason: 'NotIssuedToClient',
        session: session.id,
        ...auditContext(context),
        details: { client: client.id },
      });
      throw new OAuthError('unauthorized_client', 'The token was not issued to this client.', {
        reason: 'NotIssuedToClient',
      });
    }
    await this.#options.sessions.revokeSession(session.id);
    this.#options.audit.record({
      event: 'session.revoked',
      outcome: 'success',
      principal: session.principalArn,
      role: session.roleName,
      session: session.id,
      ...auditContext(context),
      details: { client: client.id, by: 'oauth2/revoke' },
    });
  }

  async #authenticate(input: TokenEndpointInput): Promise<{ client: RegisteredClient; token: string }> {
    const { body } = input;
    const client = await this.#options.clients().authenticate(clientCredentialsOf(body, input.authorization));
    const token = singleParameter(body, 'token');
    if (token === undefined)
      throw new OAuthError('invalid_request', 'The token parameter is required.', {
        reason: 'MissingParameter',
      });
    const hint = singleParameter(body, 'token_type_hint');
    // RFC 7009 §2.2.1: a hint the server does not know is `unsupported_token_type`; a known one is only a hint.
    if (hint !== undefined && !KNOWN_HINTS.has(hint))
      throw new OAuthError('unsupported_token_type', 'The token_type_hint is not supported.', {
        reason: 'UnsupportedTokenType',
      });
    return { client, token };
  }

  /** The live session a fedgate credential stands for, whatever its audience; undefined for anything else. */
  async #liveSession(token: string): Promise<RoleSession | undefined> {
    if (token.length > MAX_TOKEN_LENGTH) return undefined;
    let audience: string | undefined;
    try {
      const claims = decodeJwt(token);
      // Only the audience is read before verification, to verify against it; verify checks it again.
      audience = typeof claims.aud === 'string' ? claims.aud : undefined;
    } catch {
      return undefined;
    }
    if (audience === undefined) return undefined;
    try {
      return await this.#options.sessions.verify(token, { audience });
    } catch (error) {
      // A store that is down is not "inactive": the caller gets 503 and may retry (fail closed, never a guess).
      if (isFedgateError(error) && error.code === 'StoreUnavailable')
        throw new OAuthError('temporarily_unavailable', 'Session state cannot be checked right now.', {
          reason: 'StoreUnavailable',
          cause: error,
        });
      return undefined;
    }
  }
}

function mayManage(client: RegisteredClient, session: RoleSession): boolean {
  return session.clientId === client.id || session.audience === client.id;
}

function auditContext(context: TokenRequestContext): { sourceIp?: string; requestId?: string } {
  return {
    ...(context.sourceIp === undefined ? {} : { sourceIp: context.sourceIp }),
    ...(context.requestId === undefined ? {} : { requestId: context.requestId }),
  };
}
