import type { IncomingHttpHeaders } from 'node:http';
import type { TrustedProxies } from './trusted-proxies.js';
import { canonicalAddress } from './trusted-proxies.js';

/**
 * Where the original request was read from: a trusted proxy's header family, or — for any other peer — the
 * authorizer call itself (its sub-path, method and `Host`).
 */
export type ForwardingStyle = 'forwarded' | 'original' | 'envoy' | 'direct';

/** The request a reverse proxy asks about. */
export interface OriginalRequest {
  readonly method: string;
  /** The host as the proxy reported it (may carry a port); validated by the route table. */
  readonly host: string;
  /** Path without the query string and fragment, still percent-encoded. */
  readonly path: string;
  /** The query parameters; parsed on first use (a memoized decision never needs them). */
  readonly query: URLSearchParams;
  /** The query string as sent, without `?`, still percent-encoded (what a SigV4 signature covers). */
  readonly rawQuery: string;
  readonly secure: boolean;
  /** The client's address (through trusted proxies only). */
  readonly sourceIp: string | undefined;
  /** The full original URL without its fragment, for the redirect back after login. */
  readonly url: string;
  readonly style: ForwardingStyle;
}

/** The parts of an authorizer call that the original request is read from. */
export interface AuthorizerCall {
  readonly method: string;
  /** The request target as received (`/authz/orders/42?x=1`). */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  /** The peer address of the connection. */
  readonly peer: string | undefined;
  /** True when the call itself came over TLS. */
  readonly encrypted: boolean;
}

/** Reading the original request: the request, or a refusal naming the headers that made it ambiguous. */
export type OriginalRequestResult =
  | { readonly ok: true; readonly request: OriginalRequest }
  | { readonly ok: false; readonly reason: 'AmbiguousForwardedRequest'; readonly headers: readonly string[] };

/** The headers of each family that say what the original request was. */
interface FamilyHeaders {
  readonly method?: string;
  readonly uri?: string;
  readonly host?: string;
  readonly proto?: string;
  /** A list walked from the right (`X-Forwarded-For`), or a single address (`X-Real-IP`). */
  readonly clientList?: string;
  readonly clientSingle?: string;
}

const FAMILY_HEADERS: Record<Exclude<ForwardingStyle, 'direct'>, FamilyHeaders> = {
  forwarded: {
    method: 'x-forwarded-method',
    uri: 'x-forwarded-uri',
    host: 'x-forwarded-host',
    proto: 'x-forwarded-proto',
    clientList: 'x-forwarded-for',
  },
  original: {
    method: 'x-original-method',
    uri: 'x-original-uri',
    host: 'x-original-host',
    proto: 'x-original-proto',
    clientSingle: 'x-real-ip',
  },
  envoy: { proto: 'x-forwarded-proto', clientList: 'x-forwarded-for' },
};

/** The headers that belong to another family than the proxy's, so their presence makes a request ambiguous. */
const FOREIGN_HEADERS: Record<Exclude<ForwardingStyle, 'direct'>, readonly string[]> = {
  forwarded: ['x-original-method', 'x-original-uri', 'x-original-url', 'x-original-host', 'x-original-proto'],
  original: [
    'x-forwarded-method',
    'x-forwarded-uri',
    'x-forwarded-host',
    'x-forwarded-proto',
    'x-forwarded-for',
  ],
  envoy: [
    'x-forwarded-method',
    'x-forwarded-uri',
    'x-forwarded-host',
    'x-original-method',
    'x-original-uri',
    'x-original-url',
    'x-original-host',
    'x-original-proto',
  ],
};

/** `auto` (a bare CIDR): the headers that tell the families apart, as today's proxies send them. */
const AUTO_FORWARDED = ['x-forwarded-method', 'x-forwarded-uri'] as const;
const AUTO_ORIGINAL = ['x-original-method', 'x-original-uri', 'x-original-host', 'x-original-proto'] as const;
/** `auto` with nginx headers: the older guide's X-Forwarded-Host/-Proto/-For are still read (unambiguous). */
const AUTO_ORIGINAL_HEADERS: FamilyHeaders = {
  ...FAMILY_HEADERS.original,
  clientList: 'x-forwarded-for',
};

/** The mount path of the forward-auth endpoint: Envoy appends the original path to it. */
export const AUTHZ_MOUNT = '/authz';

/**
 * Reconstructs the original request from a forward-auth call (SPEC 4.5). The method, host, URI, scheme and client
 * address come from exactly one header family: the one configured for the trusted proxy the call came from.
 * A call that also carries another family's headers is refused, never guessed at (a client behind nginx must
 * not steer the decision with its own `X-Forwarded-Uri`). From a peer that is not a trusted proxy no forwarding
 * header counts: the request decided is the call itself.
 */
export function readOriginalRequest(call: AuthorizerCall, proxies: TrustedProxies): OriginalRequestResult {
  const peer = call.peer === undefined ? undefined : (canonicalAddress(call.peer) ?? call.peer);
  const setting = proxies.familyOf(peer);
  const headers = call.headers;

  let style: ForwardingStyle;
  let family: FamilyHeaders | undefined;
  if (setting === undefined) {
    style = 'direct';
  } else if (setting === 'auto') {
    const forwarded = present(headers, AUTO_FORWARDED);
    const original = present(headers, AUTO_ORIGINAL);
    if (forwarded.length > 0 && original.length > 0)
      return { ok: false, reason: 'AmbiguousForwardedRequest', headers: [...forwarded, ...original] };
    style = forwarded.length > 0 ? 'forwarded' : original.length > 0 ? 'original' : 'envoy';
    family = style === 'original' ? AUTO_ORIGINAL_HEADERS : FAMILY_HEADERS[style];
  } else {
    const foreign = present(headers, FOREIGN_HEADERS[setting]);
    if (foreign.length > 0) return { ok: false, reason: 'AmbiguousForwardedRequest', headers: foreign };
    style = setting;
    family = FAMILY_HEADERS[setting];
  }

  const read = (name: string | undefined): string | undefined => {
    if (name === undefined) return undefined;
    const value = headers[name];
    const first = Array.isArray(value) ? value[0] : value;
    return first === undefined || first.length === 0 ? undefined : first;
  };
  const auto = setting === 'auto';

  const subPath = call.url.startsWith(AUTHZ_MOUNT) ? call.url.slice(AUTHZ_MOUNT.length) : call.url;
  const callUri = subPath.length === 0 || subPath.startsWith('?') ? `/${subPath}` : subPath;
  const uri = read(family?.uri) ?? callUri;
  const method = read(family?.method) ?? call.method;
  const host = firstListItem(
    read(family?.host) ??
      (auto && style === 'original' ? read('x-forwarded-host') : undefined) ??
      headerText(headers.host),
  );
  const proto = firstListItem(
    read(family?.proto) ?? (auto && style === 'original' ? read('x-forwarded-proto') : undefined) ?? '',
  );
  const secure = proto.length > 0 ? proto.toLowerCase() === 'https' : call.encrypted;

  // The fragment never reaches an upstream's router (Express, Spring…): it is not part of what is decided.
  const hash = uri.indexOf('#');
  const withoutFragment = hash === -1 ? uri : uri.slice(0, hash);
  const target = withoutFragment.startsWith('/') ? withoutFragment : `/${withoutFragment}`;
  const q = target.indexOf('?');

  let sourceIp: string | undefined;
  if (family?.clientSingle !== undefined && read(family.clientSingle) !== undefined) {
    sourceIp = canonicalAddress((read(family.clientSingle) as string).trim());
  } else {
    sourceIp = proxies.clientAddress(
      peer,
      family?.clientList === undefined ? undefined : read(family.clientList),
    );
  }

  return {
    ok: true,
    request: new ForwardedRequest(
      method.toUpperCase(),
      host,
      q === -1 ? target : target.slice(0, q),
      q === -1 ? '' : target.slice(q + 1),
      secure,
      sourceIp,
      `${secure ? 'https' : 'http'}://${host}${target}`,
      style,
    ),
  };
}

/** An OriginalRequest whose query string is parsed only when asked for: the hot path rarely needs it. */
class ForwardedRequest implements OriginalRequest {
  #query: URLSearchParams | undefined;

  constructor(
    readonly method: string,
    readonly host: string,
    readonly path: string,
    readonly rawQuery: string,
    readonly secure: boolean,
    readonly sourceIp: string | undefined,
    readonly url: string,
    readonly style: ForwardingStyle,
  ) {}

  get query(): URLSearchParams {
    this.#query ??= new URLSearchParams(this.rawQuery);
    return this.#query;
  }
}

function present(headers: IncomingHttpHeaders, names: readonly string[]): string[] {
  const found: string[] = [];
  for (const name of names) if (headers[name] !== undefined) found.push(name);
  return found;
}

function headerText(value: string | string[] | undefined): string {
  return (Array.isArray(value) ? value[0] : value) ?? '';
}

function firstListItem(value: string): string {
  const comma = value.indexOf(',');
  return (comma === -1 ? value : value.slice(0, comma)).trim();
}
