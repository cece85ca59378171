import type { ErrorCode } from '../errors/index.js';
import type { DenialExplanation } from './denial-explanation.js';
import type { IdentityHeaders } from './identity-headers.js';
import type { PathRefusal } from './request-path.js';

/**
 * Why a request signed with a fedgate credential (SigV4) is not authenticated, with AWS's error codes:
 * a malformed signature, a wrong one (or a scope outside the region/service allow-lists), a request time outside
 * the clock skew or an expired presigned URL, an unknown or revoked credential, an expired session; and the route
 * not accepting how the payload was declared (`sigv4Payload`).
 */
export type SignatureRefusalReason =
  | 'IncompleteSignature'
  | 'SignatureDoesNotMatch'
  | 'RequestExpired'
  | 'InvalidClientTokenId'
  | 'ExpiredToken'
  | 'PayloadSigningNotAccepted';

/**
 * THE vocabulary of forward-auth outcomes. Each reason is the audit `reason`, maps to one problem `code` and HTTP
 * status, and to one `fedgate_authz_decisions_total{outcome}` label: nothing else spells an outcome.
 */
export type ForwardAuthReason =
  | 'Allowed'
  | 'ExplicitDeny'
  | 'ImplicitDeny'
  | 'NoMatchingRoute'
  | 'MissingCredential'
  | 'InvalidCredential'
  | SignatureRefusalReason
  | 'AmbiguousForwardedRequest'
  | 'UnsafeRequestPath'
  | 'StoreUnavailable';

/** The reasons the authorizer refuses with: the authorizer's catalogue of refusal reasons (`authz.denied`). */
export type AuthzRefusalReason = Exclude<ForwardAuthReason, 'Allowed'>;

declare module '../errors/refusal-reason.js' {
  interface RefusalCatalogues {
    authorizer: AuthzRefusalReason;
  }
}

/** How each reason is answered, audited and counted. */
export interface ForwardAuthOutcome {
  readonly status: number;
  /** The problem+json `code` (none for an allowed request). */
  readonly code: ErrorCode | undefined;
  /** The metrics label. */
  readonly metric: string;
  /**
   * How the `authz.denied` audit record is written: `each` one by one, `counted` per source and reason over a
   * short window (a refused credential: anyone can send those by the thousand), or `none`.
   */
  readonly audit: 'none' | 'each' | 'counted';
}

function sigv4Refusal(code: ErrorCode): ForwardAuthOutcome {
  return { status: 401, code, metric: 'unauthenticated', audit: 'counted' };
}

export const FORWARD_AUTH_OUTCOMES: Readonly<Record<ForwardAuthReason, ForwardAuthOutcome>> = {
  Allowed: { status: 200, code: undefined, metric: 'allow', audit: 'none' },
  ExplicitDeny: { status: 403, code: 'ExplicitDeny', metric: 'explicit_deny', audit: 'each' },
  ImplicitDeny: { status: 403, code: 'ImplicitDeny', metric: 'implicit_deny', audit: 'each' },
  NoMatchingRoute: { status: 403, code: 'NoMatchingRoute', metric: 'no_route', audit: 'each' },
  // "No credential" is the normal first step of a browser sign-in, not a security event.
  MissingCredential: { status: 401, code: 'InvalidToken', metric: 'unauthenticated', audit: 'none' },
  InvalidCredential: { status: 401, code: 'InvalidToken', metric: 'unauthenticated', audit: 'counted' },
  // A signed request that does not authenticate is a 401 whatever AWS answers (400/403): nginx's auth_request
  // passes 401 and 403 only, and 403 means "denied by policy" to the client.
  IncompleteSignature: sigv4Refusal('IncompleteSignature'),
  SignatureDoesNotMatch: sigv4Refusal('SignatureDoesNotMatch'),
  RequestExpired: sigv4Refusal('RequestExpired'),
  InvalidClientTokenId: sigv4Refusal('InvalidClientTokenId'),
  ExpiredToken: sigv4Refusal('ExpiredToken'),
  PayloadSigningNotAccepted: sigv4Refusal('PayloadSigningNotAccepted'),
  AmbiguousForwardedRequest: {
    status: 400,
    code: 'AmbiguousForwardedRequest',
    metric: 'bad_request',
    audit: 'each',
  },
  UnsafeRequestPath: { status: 400, code: 'UnsafeRequestPath', metric: 'bad_request', audit: 'each' },
  StoreUnavailable: { status: 503, code: 'StoreUnavailable', metric: 'unavailable', audit: 'none' },
};

/** The metrics label of a request that failed unexpectedly (answered 500). */
export const FORWARD_AUTH_ERROR_METRIC = 'error';

/** Who and what a refusal is about, for the audit record (never a credential). */
export interface ForwardAuthSubject {
  readonly principal?: string;
  readonly role?: string;
  readonly session?: string;
  readonly provider?: string;
  readonly subject?: string;
  readonly sourceIp?: string;
  readonly details?: Readonly<Record<string, string | readonly string[]>>;
}

/** Where a browser without a valid credential is sent, and how the proxy can carry a redirect. */
export interface LoginRedirect {
  readonly location: string;
  /** nginx's auth_request cannot pass a 3xx on: answer 401 with the location in `X-Fedgate-Redirect`. */
  readonly asHeader: boolean;
}

/** What the authorizer decided about one forward-auth request: a plain value, rendered by `http/`. */
export type ForwardAuthResult =
  | {
      readonly reason: 'Allowed';
      readonly identity: IdentityHeaders;
      readonly assertion: string;
      readonly about: ForwardAuthSubject;
    }
  | {
      readonly reason: 'ExplicitDeny' | 'ImplicitDeny';
      readonly about: ForwardAuthSubject;
      /** For the denied person (unless `authorizer.explainDenials` is off): layer, statement, simulator link. */
      readonly denial: DenialExplanation | undefined;
    }
  | {
      readonly reason: 'NoMatchingRoute';
      readonly about: ForwardAuthSubject;
      /**
       * A request browsers make on their own (`/favicon.ico`, Apple touch icons): refused and counted the same,
       * but not audited as a denial, since nobody asked for it.
       */
      readonly automatic: boolean;
    }
  | {
      readonly reason: 'StoreUnavailable';
      readonly about: ForwardAuthSubject;
    }
  | {
      readonly reason: 'MissingCredential' | 'InvalidCredential';
      readonly loginRedirect: LoginRedirect | undefined;
      readonly about: ForwardAuthSubject;
    }
  | {
      readonly reason: SignatureRefusalReason;
      /** AWS's public message for the refusal (never a request value). */
      readonly message: string;
      readonly about: ForwardAuthSubject;
    }
  | { readonly reason: 'AmbiguousForwardedRequest'; readonly about: ForwardAuthSubject }
  | {
      readonly reason: 'UnsafeRequestPath';
      readonly pathRefusal: PathRefusal;
      readonly about: ForwardAuthSubject;
    };

const AUTOMATIC_BROWSER_PATHS = new Set([
  '/favicon.ico',
  '/apple-touch-icon.png',
  '/apple-touch-icon-precomposed.png',
]);

/** True for a GET or HEAD of a path browsers fetch without being asked (the site icon). */
export function isAutomaticBrowserRequest(method: string, path: string): boolean {
  return (method === 'GET' || method === 'HEAD') && AUTOMATIC_BROWSER_PATHS.has(path);
}
