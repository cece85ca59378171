/** A browser over plain HTTP for portal tests: fetch with manual redirects and a path-aware cookie jar. */

interface JarCookie {
  readonly value: string;
  readonly path: string;
}

/** One answer as the tests look at it. */
export interface BrowserAnswer {
  readonly status: number;
  readonly url: URL;
  readonly headers: Headers;
  /** The raw Set-Cookie lines of this answer. */
  readonly setCookies: readonly string[];
  readonly location: URL | undefined;
  readonly body: string;
}

/** Fetch options the portal tests use. */
export interface BrowserRequest {
  readonly method?: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** Sent as `application/x-www-form-urlencoded`. */
  readonly form?: Readonly<Record<string, string>>;
  /** Sent as `application/json`. */
  readonly json?: unknown;
}

/** A cookie-keeping HTTP client for one origin's cookies (loopback tests: host-only cookies, one host). */
export class HttpBrowser {
  readonly #jar = new Map<string, JarCookie>();

  /** The value of a cookie the browser holds, or undefined. */
  cookie(name: string): string | undefined {
    return this.#jar.get(name)?.value;
  }

  /** Puts a cookie into the jar (as an attacker or a second tab would). */
  setCookie(name: string, value: string, path = '/'): void {
    this.#jar.set(name, { value, path });
  }

  /** One request, redirects not followed. */
  async send(url: string | URL, request: BrowserRequest = {}): Promise<BrowserAnswer> {
    const target = new URL(url);
    const headers = new Headers(request.headers);
    const cookies = [...this.#jar]
      .filter(([, cookie]) => target.pathname.startsWith(cookie.path))
      .map(([name, cookie]) => `${name}=${cookie.value}`);
    if (cookies.length > 0) headers.set('cookie', cookies.join('; '));
    let body: string | undefined;
    if (request.form !== undefined) {
      headers.set('content-type', 'application/x-www-form-urlencoded');
      body = new URLSearchParams({ ...request.form }).toString();
    } else if (request.json !== undefined) {
      headers.set('content-type', 'application/json');
      body = JSON.stringify(request.json);
    }
    const response = await fetch(target, {
      method: request.method ?? (body === undefined ? 'GET' : 'POST'),
      headers,
      redirect: 'manual',
      ...(body === undefined ? {} : { body }),
    });
    const setCookies = response.headers.getSetCookie();
    for (const line of setCookies) this.#remember(line);
    const location = response.headers.get('location');
    return {
      status: response.status,
      url: target,
      headers: response.headers,
      setCookies,
      location: location === null ? undefined : new URL(location, target),
      body: await response.text(),
    };
  }

  /** Sends, then follows redirects while they stay on `origin`; returns the last answer. */
  async follow(
    url: string | URL,
    request: BrowserRequest = {},
    origin = new URL(url).origin,
  ): Promise<BrowserAnswer> {
    let answer = await this.send(url, request);
    for (let hop = 0; hop < 10; hop++) {
      if (answer.location === undefined || answer.location.origin !== origin) return answer;
      answer = await this.send(answer.location);
    }
    throw new Error('too many redirects');
  }

  #remember(line: string): void {
    const [pair = '', ...attributes] = line.split(';');
    const eq = pair.indexOf('=');
    if (eq <= 0) return;
    const name = pair.slice(0, eq).trim();
    const value = pair.slice(eq + 1).trim();
    let path = '/';
    let expired = value === '';
    for (const attribute of attributes) {
      const [key = '', raw = ''] = attribute.split('=');
      const lower = key.trim().toLowerCase();
      if (lower === 'path') path = raw.trim();
      if (lower === 'max-age' && Number(raw) <= 0) expired = true;
      if (lower === 'expires' && Date.parse(raw) <= Date.now()) expired = true;
    }
    if (expired) this.#jar.delete(name);
    else this.#jar.set(name, { value, path });
  }
}

/** The Set-Cookie line for a cookie name in an answer, or undefined. */
export function setCookieLine(answer: BrowserAnswer, name: string): string | undefined {
  return answer.setCookies.find((line) => line.startsWith(`${name}=`));
}

/** The value of a hidden form input in a portal page. */
export function hiddenInput(html: string, name: string): string | undefined {
  const match = new RegExp(`<input\\s+type="hidden"\\s+name="${name}"\\s+value="([^"]*)"\\s*/?>`).exec(html);
  return match?.[1];
}

/** The text of an HTML fragment as a browser shows it: tags removed, the escapes our pages use decoded. */
export function textOf(html: string): string {
  return html
    .replace(/<[^>]*>/g, '')
    .replace(/&#39;/g, "'")
    .replace(/&quot;/g, '"')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}
