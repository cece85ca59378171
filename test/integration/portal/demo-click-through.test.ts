import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDemo, DEFAULT_DEMO_PORTS, type DemoPorts, type RunningDemo } from '../../../demo/start-demo.js';
import { DEMO_USERS } from '../../../demo/demo-users.js';
import { reserveLoopbackPort } from '../../support/gateway-fixture.js';
import { HttpBrowser, hiddenInput, type BrowserAnswer } from './http-browser.js';
import { suiteLogger } from '../../support/suite-log-capture.js';

/** The demo's promise to a newcomer (demo/demo-users.ts stories), per person: the roles offered after sign-in. */
const STORIES: Readonly<Record<string, readonly string[]>> = {
  alice: ['Developer'],
  erin: ['Developer'],
  carol: ['Developer', 'Auditor'],
  bob: ['Auditor'],
  dave: [],
};

let dir: string;
let demo: RunningDemo;
let ports: DemoPorts;

beforeAll(async () => {
  ports = {
    gateway: await reserveLoopbackPort(),
    oidc: await reserveLoopbackPort(),
    saml: await reserveLoopbackPort(),
    orders: await reserveLoopbackPort(),
  };
  // The shipped example configuration, moved to free ports so the test never meets a running demo.
  dir = await mkdtemp(join(tmpdir(), 'fedgate-demo-'));
  await cp(fileURLToPath(new URL('../../../config', import.meta.url)), dir, { recursive: true });
  let yaml = await readFile(join(dir, 'gateway.yaml'), 'utf8');
  for (const key of ['gateway', 'oidc', 'saml', 'orders'] as const) {
    const from = `127.0.0.1:${DEFAULT_DEMO_PORTS[key]}`;
    expect(yaml).toContain(from);
    yaml = yaml.replaceAll(from, `127.0.0.1:${ports[key]}`);
  }
  yaml = yaml.replace(/sinks: \[\{ kind: stdout \}\]/, 'sinks: []');
  // Twenty sign-ins from one address in a few seconds is more than the demo's per-minute login budget.
  if (!/^rateLimits:/m.test(yaml)) yaml += '\nrateLimits: { login: { points: 1000 } }\n';
  await writeFile(join(dir, 'gateway.yaml'), yaml);
  demo = await startDemo({
    configPath: join(dir, 'gateway.yaml'),
    ports,
    env: {},
    logger: suiteLogger(),
  });
});

afterAll(async () => {
  await demo?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function oidcSignIn(browser: HttpBrowser, username: string, password: string): Promise<BrowserAnswer> {
  const start = await browser.send(`${demo.gateway.url}/login/demo-oidc`);
  let answer = await browser.follow(start.location ?? '', {}, demo.oidcIssuer);
  const action = /<form method="post" action="([^"]+)" data-prompt="login">/.exec(answer.body)?.[1] ?? '';
  answer = await browser.send(new URL(action, answer.url), { form: { action: 'login', username, password } });
  answer = await browser.follow(answer.location ?? '', {}, demo.oidcIssuer);
  expect(answer.location?.origin).toBe(demo.gateway.url);
  return browser.send(answer.location ?? '');
}

async function samlSignIn(browser: HttpBrowser, username: string, password: string): Promise<BrowserAnswer> {
  const start = await browser.send(`${demo.gateway.url}/login/demo-saml`);
  const loginPage = await browser.send(start.location ?? '');
  const fields = Object.fromEntries(
    [...loginPage.body.matchAll(/<input type="hidden" name="(\w+)" value="([^"]*)">/g)].map((match) => [
      match[1] ?? '',
      (match[2] ?? '').replace(/&quot;/g, '"').replace(/&amp;/g, '&'),
    ]),
  );
  const posted = await browser.send(`${demo.samlUrl}/sso/login`, { form: { ...fields, username, password } });
  const form = (name: string): string =>
    new RegExp(`name="${name}" value="([^"]*)"`).exec(posted.body)?.[1]?.replace(/&amp;/g, '&') ?? '';
  return browser.send(`${demo.gateway.url}/saml/demo-saml/acs`, {
    form: { SAMLResponse: form('SAMLResponse'), RelayState: form('RelayState') },
  });
}

describe('the click-through demo (demo/start-demo.ts with config/gateway.yaml)', () => {
  it('every demo user has a story the demo keeps', () => {
    expect(DEMO_USERS.map((user) => user.username).sort()).toEqual(Object.keys(STORIES).sort());
  });

  describe.each([
    ['the demo OIDC IdP', oidcSignIn],
    ['the demo SAML IdP', samlSignIn],
  ])('signing in through %s', (_idp, signIn) => {
    it.each(DEMO_USERS.map((user) => [user.username, user] as const))(
      '%s is offered the roles of their story',
      async (username, user) => {
        const browser = new HttpBrowser();
        const expected = STORIES[username] ?? [];
        const callback = await signIn(browser, user.username, user.password);
        if (expected.length === 0) {
          expect(callback.status).toBe(403);
          expect(callback.body).toContain('No role trusts this identity');
          expect(browser.cookie('fedgate_portal')).toBeUndefined();
          return;
        }
        expect(callback.status).toBe(303);
        expect(browser.cookie('fedgate_session') !== undefined).toBe(expected.length === 1);
        const portal = await browser.send(`${demo.gateway.url}/`);
        const offered = [...portal.body.matchAll(/Open session as (\w+)/g)].map((match) => match[1]);
        expect(offered).toEqual(expected);
      },
    );
  });

  it('a wrong password shows a visible error at both demo IdPs, and the page is styled as a product', async () => {
    const browser = new HttpBrowser();
    const start = await browser.send(`${demo.gateway.url}/login/demo-oidc`);
    const form = await browser.follow(start.location ?? '', {}, demo.oidcIssuer);
    const action = /<form method="post" action="([^"]+)" data-prompt="login">/.exec(form.body)?.[1] ?? '';
    const oidc = await browser.send(new URL(action, form.url), {
      form: { action: 'login', username: 'alice', password: 'wrong' },
    });
    const saml = await browser.send(`${demo.samlUrl}/sso/login`, {
      form: { username: 'alice', password: 'wrong' },
    });
    for (const page of [oidc, saml]) {
      expect(page.body).toMatch(/<p role="alert">Unknown user or wrong password\.<\/p>/);
      expect(page.body).toContain('<meta name="viewport"');
      expect(page.body).toContain('prefers-color-scheme:dark');
    }
    expect(oidc.body).toContain('Acme Workforce ID');
    expect(saml.body).toContain('Acme Directory');
  });

  it('the orders service sends a stranger to sign in, and shows orders to alice once she has', async () => {
    const browser = new HttpBrowser();
    const stranger = await browser.send(`${demo.ordersUrl}/orders`, { headers: { accept: 'text/html' } });
    expect(stranger.status).toBe(302);
    expect(stranger.location?.href).toBe(
      `${demo.gateway.url}/login?return_to=${encodeURIComponent(`${demo.ordersUrl}/orders`)}`,
    );

    await oidcSignIn(browser, 'alice', 'alice-demo-password');
    const orders = await browser.send(`${demo.ordersUrl}/orders`, { headers: { accept: 'text/html' } });
    expect(orders.status).toBe(200);
    expect(orders.body).toContain('assumed-role/Developer/alice@example.com');
  });

  it("carol, with two roles and no role session yet, opens the orders app from Developer's card", async () => {
    const browser = new HttpBrowser();
    await samlSignIn(browser, 'carol', 'carol-demo-password');
    expect(browser.cookie('fedgate_session')).toBeUndefined();
    const portal = await browser.send(`${demo.gateway.url}/`);
    const card = /<li class="card">\s*<h2>Developer<\/h2>[\s\S]*?<\/li>/.exec(portal.body)?.[0] ?? '';
    const openApp =
      /<form method="post" action="\/portal\/assume">(?:(?!<\/form>)[\s\S])*?Open app\s*<\/button>\s*<\/form>/.exec(
        card,
      )?.[0] ?? '';
    const field = (name: string): string =>
      new RegExp(`name="${name}"\\s+value="([^"]*)"`).exec(openApp)?.[1]?.replace(/&amp;/g, '&') ?? '';
    expect(field('role')).toBe('Developer');
    const assumed = await browser.send(`${demo.gateway.url}/portal/assume`, {
      form: { csrf: field('csrf'), role: field('role'), return_to: field('return_to') },
    });
    expect(assumed.status).toBe(303);
    expect(assumed.location?.href).toBe(`${demo.ordersUrl}/orders`);
    const orders = await browser.send(assumed.location?.href ?? '', { headers: { accept: 'text/html' } });
    expect(orders.status).toBe(200);
    expect(orders.body).toContain('assumed-role/Developer/carol@example.com');
  });

  it('carol gets CLI credentials for the role she picks', async () => {
    const browser = new HttpBrowser();
    await samlSignIn(browser, 'carol', 'carol-demo-password');
    const portal = await browser.send(`${demo.gateway.url}/`);
    const answer = await browser.send(`${demo.gateway.url}/portal/credentials`, {
      json: { role: 'Auditor' },
      headers: { 'x-csrf-token': hiddenInput(portal.body, 'csrf') ?? '' },
    });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({
      AssumedRoleUser: { Arn: 'arn:fedgate:sts::000000000000:assumed-role/Auditor/carol@example.com' },
    });
  });
});
