/**
 * A running gateway with four SAML providers, each answered by its own samlify IdP, for tests that attack the
 * ACS and the STS SAML endpoints over HTTP. Every response starts as a valid samlify answer to a real pending
 * AuthnRequest (started at `/login/<id>` in an HttpBrowser); a test changes only what it attacks.
 *
 * - `corp-saml`: the defaults (SP-initiated only, SHA-256, no encryption); groups, email and a `team` tag.
 * - `partner-saml`: `allowIdpInitiated: true`.
 * - `legacy-saml`: `allowSha1: true`; its IdP signs with RSA-SHA1.
 * - `sealed-saml`: a decryption key; its IdP encrypts every assertion.
 */
import { afterAll, beforeAll, expect } from 'vitest';
import type { AuditRecord } from '../../../src/audit/index.js';
import type { Logger } from '../../../src/observability/logger.js';
import {
  loopbackUrl,
  reserveLoopbackPort,
  startGatewayFixture,
  type GatewayFixture,
} from '../../support/gateway-fixture.js';
import { createTestKeyPair } from '../../support/saml-idp.js';
import {
  RSA_SHA1,
  createSamlifyIdp,
  samlifyServiceProvider,
  type SamlifyAnswer,
  type SamlifyIdp,
  type SamlifyServiceProvider,
} from '../../support/samlify-idp.js';
import type { HttpBrowser } from '../portal/http-browser.js';
import { setCookieLine, type BrowserAnswer } from '../portal/http-browser.js';

export const ACCOUNT = '000000000000';
export const PROVIDERS = ['corp-saml', 'partner-saml', 'legacy-saml', 'sealed-saml'] as const;
export type ProviderId = (typeof PROVIDERS)[number];
const DISPLAY_NAMES: Record<ProviderId, string> = {
  'corp-saml': 'Corp SAML',
  'partner-saml': 'Partner IdP',
  'legacy-saml': 'Legacy SAML',
  'sealed-saml': 'Sealed SAML',
};
/** The SP key of `sealed-saml`; its IdP encrypts for the certificate in fedgate's metadata. */
export const SEALED_SP_KEY = createTestKeyPair('fedgate-sealed-saml-sp');

/** A person as the IdPs describe them: `alice` is a developer. */
export const ALICE = {
  nameId: 'alice@example.test',
  attributes: { email: ['alice@example.test'], groups: ['developers'], department: ['payments'] },
} as const;

function trustGroup(group: string): Record<string, unknown> {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: [...PROVIDERS] },
        Action: ['sts:AssumeRoleWithSAML', 'sts:TagSession'],
        Condition: { 'ForAnyValue:StringEquals': { 'fedgate:groups': group } },
      },
    ],
  };
}

/** The running gateway and its IdPs. */
export interface SamlGatewayBed {
  readonly url: string;
  readonly fixture: GatewayFixture;
  idp(provider: ProviderId): SamlifyIdp;
  /** samlify's view of fedgate as `provider`, read from `GET /saml/<provider>/metadata`. */
  sp(provider: ProviderId): SamlifyServiceProvider;
  acsUrl(provider: ProviderId): string;
  /** Starts an SP-initiated login in `browser`; the AuthnRequest id as samlify reads it from the redirect. */
  startLogin(browser: HttpBrowser, provider: ProviderId): Promise<string>;
  /** The signed Response XML the provider's samlify IdP sends (`alice` unless the answer says otherwise). */
  answer(provider: ProviderId, answer: Partial<SamlifyAnswer>): Promise<string>;
  /** POSTs a Response to the ACS from `browser`, tagged with a fresh request id (see `auditOf`). */
  postToAcs(browser: HttpBrowser, provider: ProviderId, xml: string): Promise<BrowserAnswer>;
  /** `POST /sts/assume-role-with-saml` (JSON API) for the Developer role. */
  assumeRoleWithSaml(provider: ProviderId, xml: string): Promise<Response>;
  /** The STS Query API's `AssumeRoleWithSAML` (AWS form POST to `/`) for the Developer role. */
  assumeRoleWithSamlQuery(provider: ProviderId, xml: string): Promise<Response>;
  /** The audit records of the request that produced `answer` (the gateway echoes `X-Request-Id`), or of an id. */
  auditOf(answer: BrowserAnswer | Response | string): AuditRecord[];
  close(): Promise<void>;
}

const REQUEST_ID = 'x-request-id';
let requestCounter = 0;
function nextRequestId(): string {
  requestCounter += 1;
  return `saml-bed-${process.pid}-${requestCounter}-${Date.now()}`;
}

/** Starts the IdPs and the gateway; `logger` replaces the suite’s trace-level capture (a bench logs as in service). */
export async function startSamlGatewayBed(
  options: { readonly logger?: Logger } = {},
): Promise<SamlGatewayBed> {
  const port = await reserveLoopbackPort();
  const url = loopbackUrl(port);
  const idps: Record<ProviderId, SamlifyIdp> = {
    'corp-saml': createSamlifyIdp({ entityId: 'https://idp.corp.test/metadata' }),
    'partner-saml': createSamlifyIdp({ entityId: 'https://idp.partner.test/metadata' }),
    'legacy-saml': createSamlifyIdp({
      entityId: 'https://idp.legacy.test/metadata',
      signatureAlgorithm: RSA_SHA1,
    }),
    'sealed-saml': createSamlifyIdp({
      entityId: 'https://idp.sealed.test/metadata',
      encryptAssertions: true,
    }),
  };
  const fixture = await startGatewayFixture({
    port,
    ...(options.logger === undefined ? {} : { logger: options.logger }),
    config: {
      partition: 'fedgate',
      account: ACCOUNT,
      identityProviders: PROVIDERS.map((id) => ({
        id,
        type: 'saml',
        displayName: DISPLAY_NAMES[id],
        issuer: idps[id].entityId,
        entryPoint: idps[id].ssoUrl,
        idpCertificates: [idps[id].certificatePem],
        groups: 'attr:groups',
        sessionName: 'attr:email',
        tags: { team: 'attr:department' },
        ...(id === 'partner-saml' ? { allowIdpInitiated: true } : {}),
        ...(id === 'legacy-saml' ? { allowSha1: true } : {}),
        ...(id === 'sealed-saml'
          ? {
              decryptionKey: SEALED_SP_KEY.privateKeyPem,
              decryptionCertificate: SEALED_SP_KEY.certificatePem,
            }
          : {}),
      })),
      policies: {
        OrdersRead: {
          Version: '2012-10-17',
          Statement: [
            { Effect: 'Allow', Action: 'orders:GetOrder', Resource: 'arn:fedgate:orders:::order/*' },
          ],
        },
      },
      roles: [
        { name: 'Developer', trustPolicy: trustGroup('developers'), policies: ['OrdersRead'] },
        { name: 'Admin', trustPolicy: trustGroup('admins'), policies: ['OrdersRead'] },
      ],
    },
  });
  const sps = new Map<ProviderId, SamlifyServiceProvider>();
  try {
    for (const id of PROVIDERS) {
      const metadata = await fetch(`${url}/saml/${id}/metadata`);
      expect(metadata.status).toBe(200);
      sps.set(id, samlifyServiceProvider(await metadata.text()));
    }
  } catch (error) {
    await fixture.close();
    throw error;
  }
  const sp = (id: ProviderId): SamlifyServiceProvider => sps.get(id) as SamlifyServiceProvider;
  const sts = (path: string, init: RequestInit): Promise<Response> => {
    const headers = new Headers(init.headers);
    headers.set(REQUEST_ID, nextRequestId());
    return fetch(`${url}${path}`, { ...init, method: 'POST', headers });
  };
  const encoded = (xml: string): string => Buffer.from(xml, 'utf8').toString('base64');

  return {
    url,
    fixture,
    idp: (id) => idps[id],
    sp,
    acsUrl: (id) => `${url}/saml/${id}/acs`,
    async startLogin(browser, id) {
      const start = await browser.send(`${url}/login/${id}`);
      expect(start.status).toBe(302);
      expect(start.location?.href.startsWith(idps[id].ssoUrl)).toBe(true);
      return idps[id].readRequest(sp(id), start.location?.href ?? '');
    },
    answer: (id, answer) =>
      idps[id].respond(sp(id), {
        nameId: ALICE.nameId,
        attributes: ALICE.attributes,
        ...answer,
      }),
    postToAcs: (browser, id, xml) =>
      browser.send(`${url}/saml/${id}/acs`, {
        headers: { [REQUEST_ID]: nextRequestId() },
        form: { SAMLResponse: encoded(xml) },
      }),
    assumeRoleWithSaml: (id, xml) =>
      sts('/sts/assume-role-with-saml', {
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ RoleName: 'Developer', ProviderId: id, SAMLAssertion: encoded(xml) }),
      }),
    assumeRoleWithSamlQuery: (id, xml) =>
      sts('/', {
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          Action: 'AssumeRoleWithSAML',
          Version: '2011-06-15',
          RoleArn: `arn:fedgate:iam::${ACCOUNT}:role/Developer`,
          PrincipalArn: `arn:fedgate:iam::${ACCOUNT}:saml-provider/${id}`,
          SAMLAssertion: encoded(xml),
        }).toString(),
      }),
    auditOf(answer) {
      const requestId = typeof answer === 'string' ? answer : (answer.headers.get(REQUEST_ID) ?? '');
      return fixture.audit.filter((record) => record.requestId === requestId);
    },
    close: () => fixture.close(),
  };
}

/** One bed for the calling test file, started before its tests and closed after them (usable inside tests). */
export function samlGatewayBedPerFile(): SamlGatewayBed {
  let bed: SamlGatewayBed | undefined;
  beforeAll(async () => {
    bed = await startSamlGatewayBed();
  });
  afterAll(async () => {
    await bed?.close();
  });
  return new Proxy({} as SamlGatewayBed, {
    get(_target, key) {
      if (bed === undefined) throw new Error('the SAML gateway bed is not started');
      return Reflect.get(bed, key) as unknown;
    },
  });
}

/**
 * What a person sees when the ACS refuses a response: a 4xx "Sign-in failed" page with the public detail, no
 * portal or session cookie, and one `login.failed` audit record with the stable reason.
 */
export function expectSignInRefused(
  bed: SamlGatewayBed,
  answer: BrowserAnswer,
  expected: { readonly reason: string; readonly page?: string | RegExp; readonly status?: number },
): void {
  expect(answer.status).toBe(expected.status ?? 400);
  expect(answer.headers.get('content-type')).toMatch(/^text\/html/);
  expect(answer.body).toContain('Sign-in failed');
  if (expected.page !== undefined) expect(answer.body).toMatch(expected.page);
  expect(setCookieLine(answer, 'fedgate_portal')).toBeUndefined();
  expect(setCookieLine(answer, 'fedgate_session')).toBeUndefined();
  expect(bed.auditOf(answer).map((record) => [record.event, record.reason])).toEqual([
    ['login.failed', expected.reason],
  ]);
}

/** What a signed-in person gets from the ACS: a redirect with the portal and role session cookies. */
export function expectSignedIn(answer: BrowserAnswer): void {
  expect(answer.status).toBe(303);
  expect(setCookieLine(answer, 'fedgate_portal')).toBeDefined();
  expect(setCookieLine(answer, 'fedgate_session')).toBeDefined();
}

/**
 * A refusal at the STS (JSON or Query API): 400 InvalidSamlResponse, no credentials, audited as refused with
 * the SAML reason (when given) as `details.refusal`.
 */
async function expectStsRefused(bed: SamlGatewayBed, answer: Response, reason?: string): Promise<void> {
  const body = await answer.text();
  expect(answer.status).toBe(400);
  expect(body).toContain('InvalidSamlResponse');
  expect(body).not.toContain('SessionToken');
  const audited = bed.auditOf(answer);
  expect(audited.map((record) => [record.event, record.reason])).toEqual([
    ['role.refused', 'InvalidSamlResponse'],
  ]);
  const refused = audited[0];
  if (reason !== undefined)
    expect(refused?.event === 'role.refused' ? refused.details.refusal : undefined).toBe(reason);
}

/** The provider's answer, changed as given, is refused by both STS APIs (which need no pending request). */
export async function expectStsRefuses(
  bed: SamlGatewayBed,
  provider: ProviderId,
  change: Partial<SamlifyAnswer>,
  reason?: string,
): Promise<void> {
  const xml = await bed.answer(provider, change);
  await expectStsRefused(bed, await bed.assumeRoleWithSaml(provider, xml), reason);
  await expectStsRefused(bed, await bed.assumeRoleWithSamlQuery(provider, xml), reason);
}
