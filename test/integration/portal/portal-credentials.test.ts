import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpBrowser, hiddenInput, textOf } from './http-browser.js';
import { startPortalTestBed, type PortalTestBed } from './portal-test-bed.js';

let bed: PortalTestBed;
let browser: HttpBrowser;
let csrf: string;
beforeAll(async () => {
  bed = await startPortalTestBed();
  browser = new HttpBrowser();
  await bed.oidcLogin(browser, 'carol');
  csrf = hiddenInput((await browser.send(`${bed.url}/`)).body, 'csrf') ?? '';
});
afterAll(async () => {
  await bed?.close();
});

describe('POST /portal/credentials', () => {
  it('JSON with the X-CSRF-Token header answers the STS credentials shape (SPEC 4.3), not cached', async () => {
    const answer = await browser.send(`${bed.url}/portal/credentials`, {
      json: { role: 'Auditor', durationSeconds: 900 },
      headers: { 'x-csrf-token': csrf },
    });

    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^application\/json/);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    const body = JSON.parse(answer.body) as {
      Credentials: { AccessKeyId: string; SecretAccessKey: string; SessionToken: string; Expiration: string };
      AssumedRoleUser: { Arn: string; AssumedRoleId: string };
    };
    expect(body.Credentials.AccessKeyId).toMatch(/^FSIA/);
    expect(body.Credentials.SecretAccessKey.length).toBeGreaterThan(0);
    expect(body.Credentials.SessionToken.split('.')).toHaveLength(3);
    expect(body.Credentials.Expiration).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(body.AssumedRoleUser.Arn).toBe(
      'arn:fedgate:sts::000000000000:assumed-role/Auditor/carol@example.com',
    );
    expect(body.AssumedRoleUser.AssumedRoleId).toMatch(/^FROA.+:carol@example\.com$/);
    const caller = await fetch(`${bed.url}/sts/caller-identity`, {
      headers: { authorization: `Bearer ${body.Credentials.SessionToken}` },
    });
    expect(caller.status).toBe(200);
  });

  it.each([
    ['without the CSRF header', {}],
    ['with a wrong CSRF header', { 'x-csrf-token': 'A'.repeat(43) }],
    ['with the CSRF token in the JSON body instead of the header', {}],
  ])('JSON %s is refused 403 CsrfTokenInvalid and mints nothing', async (_name, headers) => {
    const before = await bed.fixture.gateway.sessions.list({ subject: 'carol' });

    const answer = await browser.send(`${bed.url}/portal/credentials`, {
      json: { role: 'Developer', csrf },
      headers,
    });

    expect(answer.status).toBe(403);
    expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'CsrfTokenInvalid', status: 403 });
    expect(await bed.fixture.gateway.sessions.list({ subject: 'carol' })).toEqual(before);
  });

  it('without a portal session the JSON call is 401, even with a token copied from someone else', async () => {
    const answer = await new HttpBrowser().send(`${bed.url}/portal/credentials`, {
      json: { role: 'Developer' },
      headers: { 'x-csrf-token': csrf },
    });
    expect(answer.status).toBe(401);
  });

  it('a duration outside 900 s … the role maximum is a 400 ValidationError', async () => {
    const answer = await browser.send(`${bed.url}/portal/credentials`, {
      json: { role: 'Developer', durationSeconds: 60 },
      headers: { 'x-csrf-token': csrf },
    });
    expect(answer.status).toBe(400);
    expect(JSON.parse(answer.body)).toMatchObject({ code: 'ValidationError' });
  });

  it('the form post from the roles page answers an HTML page with a named AWS profile, never AWS_* exports', async () => {
    const answer = await browser.send(`${bed.url}/portal/credentials`, { form: { csrf, role: 'Developer' } });

    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toMatch(/^text\/html/);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    const profile = textOf(/<pre id="profile"[^>]*>([^<]*)<\/pre>/.exec(answer.body)?.[1] ?? '');
    expect(profile).toMatch(/^\[profile fedgate-Developer\]$/m);
    expect(profile).toMatch(/^aws_access_key_id = FSIA[A-Z0-9]+$/m);
    expect(profile).toMatch(/^aws_secret_access_key = \S+$/m);
    expect(profile).toMatch(/^aws_session_token = [\w-]+\.[\w-]+\.[\w-]+$/m);
    expect(profile).toContain(`endpoint_url = ${bed.url}`);
    // And the renewable one: a profile whose credentials come from `fedgate credentials`, after `fedgate login`.
    const renewable = textOf(/<pre id="login-profile"[^>]*>([^<]*)<\/pre>/.exec(answer.body)?.[1] ?? '');
    expect(renewable).toMatch(/^credential_process = fedgate credentials --profile fedgate-Developer$/m);
    expect(renewable).toContain(`endpoint_url = ${bed.url}`);
    expect(renewable).not.toContain('aws_secret_access_key');
    expect(textOf(/<pre id="login-command"[^>]*>([^<]*)<\/pre>/.exec(answer.body)?.[1] ?? '')).toBe(
      `fedgate login --profile fedgate-Developer --endpoint ${bed.url}`,
    );
    // Exported AWS_* variables would take over every aws command in that shell (first in the default chain).
    expect(answer.body).not.toMatch(/export AWS_/);
  });

  it('a form post without the CSRF field is refused with CsrfTokenInvalid', async () => {
    const answer = await browser.send(`${bed.url}/portal/credentials`, { form: { role: 'Developer' } });
    expect(answer.status).toBe(403);
    expect(answer.body).toContain('CsrfTokenInvalid');
    expect(answer.body).not.toContain('AWS_SESSION_TOKEN');
  });
});

describe('GET /portal/session', () => {
  it('a CLI holding the portal cookie learns its roles and the CSRF token, then gets credentials with it', async () => {
    const answer = await browser.send(`${bed.url}/portal/session`);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('cache-control')).toBe('no-store');
    const session = JSON.parse(answer.body) as {
      subject: string;
      roles: { name: string }[];
      csrfToken: string;
    };
    expect(session.subject).toBe('carol');
    expect(session.roles.map((role) => role.name).sort()).toEqual(['Auditor', 'Developer']);
    const credentials = await browser.send(`${bed.url}/portal/credentials`, {
      json: { role: 'Developer' },
      headers: { 'x-csrf-token': session.csrfToken },
    });
    expect(credentials.status).toBe(200);
  });

  it('without a portal session: 401 and no CSRF token', async () => {
    const answer = await new HttpBrowser().send(`${bed.url}/portal/session`);
    expect(answer.status).toBe(401);
    expect(answer.body).not.toContain('csrfToken');
  });
});
