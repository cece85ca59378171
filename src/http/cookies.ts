import type { Response } from 'express';

/** The cookies of a request header, first value winning; malformed pairs are skipped. */
export function parseCookies(header: string | undefined): Record<string, string> {
  const cookies: Record<string, string> = {};
  if (header === undefined) return cookies;
  for (const pair of header.split(';')) {
    const index = pair.indexOf('=');
    if (index <= 0) continue;
    const name = pair.slice(0, index).trim();
    if (name in cookies) continue;
    let value = pair.slice(index + 1).trim();
    if (value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    try {
      cookies[name] = decodeURIComponent(value);
    } catch {
      // A cookie that is not valid percent-encoding is not ours.
    }
  }
  return cookies;
}

/** Cookie attributes of SPEC 4.2: HttpOnly, SameSite=Lax, Secure when configured. */
export interface CookieRules {
  readonly secure: boolean;
  readonly domain?: string | undefined;
}

/** Sets an HttpOnly, SameSite=Lax cookie. */
export function setCookie(
  res: Response,
  name: string,
  value: string,
  rules: CookieRules,
  options: { maxAgeSeconds: number; path?: string },
): void {
  res.cookie(name, value, {
    httpOnly: true,
    sameSite: 'lax',
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
