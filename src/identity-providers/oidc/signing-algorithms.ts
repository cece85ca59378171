import { ASYMMETRIC_JWS_ALGORITHMS as ACCEPTED } from '../../catalog/asymmetric-jws-algorithms.js';

/** Asymmetric JWS algorithms an IdP may sign with (and the `Ed25519` name newer IdPs use for EdDSA). */
export const ASYMMETRIC_JWS_ALGORITHMS: ReadonlySet<string> = new Set<string>([...ACCEPTED, 'Ed25519']);

/** Checks a configured allow-list: non-empty, asymmetric algorithms only (TypeError otherwise). */
export function assertAllowedAlgorithms(algorithms: readonly string[], path: string): void {
  if (algorithms.length === 0) throw new TypeError(`${path} must name at least one algorithm`);
  for (const alg of algorithms) {
    if (!ASYMMETRIC_JWS_ALGORITHMS.has(alg)) {
      throw new TypeError(`${path} may only contain asymmetric JWS algorithms, not ${JSON.stringify(alg)}`);
    }
  }
}

/** True for an http issuer on a loopback host, the only case (tests, demo) where plain HTTP is allowed. */
export function isLoopbackHttp(url: URL): boolean {
  return (
    url.protocol === 'http:' &&
    (url.hostname === '127.0.0.1' || url.hostname === 'localhost' || url.hostname === '[::1]')
  );
}

/** Checks an issuer URL: https, or http on loopback (TypeError otherwise). */
export function assertIssuerUrl(issuer: string, path: string): URL {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw new TypeError(`${path} must be an absolute URL`);
  }
  if (url.protocol !== 'https:' && !isLoopbackHttp(url)) {
    throw new TypeError(`${path} must use https (plain http only on 127.0.0.1/localhost)`);
  }
  return url;
}
