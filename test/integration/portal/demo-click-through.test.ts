import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RunningDemo } from '../../../demo/start-demo.js';
import { DEMO_USERS } from '../../../demo/demo-users.js';
import { HttpBrowser, hiddenInput, type BrowserAnswer } from './http-browser.js';
import { startDemoTestBed, type DemoTestBed } from './demo-test-bed.js';

/** The demo's promise to a newcomer (demo/demo-users.ts stories), per person: the roles offered after sign-in. */
const STORIES: Readonly<Record<string, readonly string[]>> = {
  alice: ['Developer'],
  erin: ['Developer'],
  carol: ['Developer', 'Auditor'],
  bob: ['Auditor'],
  dave: [],
};

let bed: DemoTestBed;
let demo: RunningDemo;

beforeAll(async () => {
  bed = await startDemoTestBed();
  demo = bed.demo;
});

afterAll(async () => {
  await bed?.close();
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

  it.each([
    ['alice', 'Developer', 200, undefined],
    ['erin', 'Developer', 403, ['guardrail', 'guardrails[0]', 'DenyDeletesWithoutMfa']],
    ['carol', 'Auditor', 403, ['resource policy', 'resources[0].policy', 'OnlyDevelopersDelete']],
    ['bob', 'Auditor', 403, ['guardrail', 'guardrails[0]', 'DenyDeletesWithoutMfa']],
  ] as const)(
    '%s as %s clicks Delete in the orders app: allowed, or told which layer and statement denied',
    async (username, role, status, denial) => {
      const user = DEMO_USERS.find((candidate) => candidate.username === username);
      const browser = new HttpBrowser();
      await samlSignIn(browser, username, user?.password ?? '');
      if (browser.cookie('fedgate_session') === undefined) {
        const portal = await browser.send(`${demo.gateway.url}/`);
        const assumed = await browser.send(`${demo.gateway.url}/portal/assume`, {
          form: { csrf: hiddenInput(portal.body, 'csrf') ?? '', role },
        });
        expect(assumed.status).toBe(303);
      }
      const answer = await browser.send(`${demo.ordersUrl}/orders/1001/delete`, {
        form: {},
        headers: { accept: 'text/html' },
      });
      expect(answer.status).toBe(status);
      if (denial === undefined) {
        expect(answer.body).toContain('fedgate allowed <code>DELETE /orders/1001</code>');
        return;
      }
      const [layer, policy, sid] = denial;
      expect(answer.body).toContain(`<td data-field="layer">${layer}</td>`);
      expect(answer.body).toContain(`<td data-field="policy"><code>${policy}</code></td>`);
      expect(answer.body).toContain(`<td data-field="statement"><code>${sid}</code></td>`);
      expect(answer.body).toContain(`href="${demo.gateway.url}/portal/simulator?`);
    },
  );

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
