import type { Response } from 'express';

/** The cookies of a request header: the one cookie parser, in sessions/ beside the credential reader. */
export { parseCookies } from '../sessions/index.js';

/** Cookie attributes of SPEC 4.2: HttpOnly, SameSite=Lax, Secure when configured. */
export interface CookieRules {
  readonly secure: boolean;
  readonly domain?: string | undefined;
}

/**
 * Sets an HttpOnly, SameSite=Lax cookie. `crossSitePost` is for a cookie that must come back on a cross-site
 * form POST (the SAML HTTP-POST binding from the IdP): SameSite=None, which browsers only keep with Secure;
 * without `secure` (plain-HTTP development) no SameSite attribute is sent and the browser's default applies.
 */
export function setCookie(
  res: Response,
  name: string,
  value: string,
  rules: CookieRules,
  options: { maxAgeSeconds: number; path?: string; crossSitePost?: boolean },
): void {
  res.cookie(name, value, {
    httpOnly: true,
    ...(options.crossSitePost === true
      ? rules.secure
        ? { sameSite: 'none' as const }
        : {}
      : { sameSite: 'lax' as const }),
    secure: rules.secure,
    path: options.path ?? '/',
    maxAge: options.maxAgeSeconds * 1000,
    ...(rules.domain === undefined ? {} : { domain: rules.domain }),
  });
}

/** Clears a cookie set by setCookie. */
export function clearCookie(res: Response, name: string, rules: CookieRules, path = '/'): void {
  res.clearCookie(name, {
    httpOnly: true,
    sameSite: 'lax',
    secure: rules.secure,
    path,
    ...(rules.domain === undefined ? {} : { domain: rules.domain }),
  });
}
