/**
 * The portal under test: a real OpenID provider (npm oidc-provider) and a SAML IdP (xml-crypto signed responses)
 * trusted by a gateway started through the composition root, with people whose groups give them zero, one or
 * two roles.
 */
import { expect } from 'vitest';
import {
  loopbackUrl,
  reserveLoopbackPort,
  startGatewayFixture,
  type GatewayFixture,
} from '../../support/gateway-fixture.js';
import { startTestOidcIdp, type TestOidcIdp } from '../../support/oidc-idp.js';
import { createTestSamlIdp, type TestSamlIdp } from '../../support/saml-idp.js';
import type { HttpBrowser } from './http-browser.js';
import { type BrowserAnswer } from './http-browser.js';

export const OIDC_ID = 'corp-oidc';
export const SAML_ID = 'corp-saml';
export const ORDERS_HOST = 'orders.test';
export const ALLOWED_RETURN_HOST = 'app.example.test';
const CLIENT_ID = 'fedgate-portal-test';
const CLIENT_SECRET = 'portal-test-client-secret';
const SAML_ENTITY_ID = 'https://idp.saml.test/metadata';

/** People of the test IdPs: alice has one role, carol two, dave none. */
export const PEOPLE = {
  alice: { password: 'alice-pass', groups: ['developers'] },
  carol: { password: 'carol-pass', groups: ['developers', 'auditors'] },
  dave: { password: 'dave-pass', groups: ['contractors'] },
} as const;

/** A person's name at the test IdPs. */
export type Person = keyof typeof PEOPLE;

function trustGroup(group: string): Record<string, unknown> {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: [OIDC_ID, SAML_ID] },
        Action: ['sts:AssumeRoleWithWebIdentity', 'sts:AssumeRoleWithSAML'],
        Condition: { 'ForAnyValue:StringEquals': { 'fedgate:groups': group } },
      },
    ],
  };
}

/** A running portal with its IdPs. */
export interface PortalTestBed {
  readonly url: string;
  readonly fixture: GatewayFixture;
  readonly oidc: TestOidcIdp;
  readonly saml: TestSamlIdp;
  /** Signs a person in through the OIDC IdP; returns the gateway's answer to the callback (not followed). */
  oidcLogin(browser: HttpBrowser, person: Person, returnTo?: string): Promise<BrowserAnswer>;
  /** Asks the authorizer whether the holder of `cookie` may GET an order. */
  authz(sessionCookie: string | undefined, orderId?: string): Promise<Response>;
  close(): Promise<void>;
}

/** Options of startPortalTestBed. */
export interface PortalTestBedOptions {
  /** Show the OIDC IdP's consent page ("Continue") after the login page (default: consent is skipped). */
  readonly consent?: boolean;
  /** The gateway's clock (epoch ms); the IdPs keep the real one. */
  readonly now?: () => number;
  /** `sessions` of the gateway configuration. */
  readonly sessions?: Readonly<Record<string, string>>;
  /** Developer may chain into Developer (`sts:AssumeRole` on itself, trusted by its own trust policy). */
  readonly selfChaining?: boolean;
  /** Accept unsolicited (IdP-initiated) SAML responses (default: refused). */
  readonly samlIdpInitiated?: boolean;
  /** More keys of the `portal` section (title, logoUrl, accentColor). */
  readonly portal?: Readonly<Record<string, unknown>>;
  /** Where the SAML IdP takes AuthnRequests (default https://idp.saml.test/sso, which nothing serves). */
  readonly samlSsoUrl?: string;
}

const DEVELOPER_ARN = 'arn:fedgate:iam::000000000000:role/Developer';

function withSelfChaining(trust: Record<string, unknown>): Record<string, unknown> {
  const statements = trust['Statement'] as unknown[];
  return {
    ...trust,
    Statement: [
      ...statements,
      { Effect: 'Allow', Principal: { AWS: DEVELOPER_ARN }, Action: 'sts:AssumeRole' },
    ],
  };
}

/** Starts both IdPs and the gateway. */
export async function startPortalTestBed(options: PortalTestBedOptions = {}): Promise<PortalTestBed> {
  const port = await reserveLoopbackPort();
  const url = loopbackUrl(port);
  const oidc = await startTestOidcIdp({
    clients: [
      {
        clientId: CLIENT_ID,
        clientSecret: CLIENT_SECRET,
        redirectUris: [`${url}/oidc/${OIDC_ID}/callback`],
        postLogoutRedirectUris: [`${url}/`],
        idTokenSignedResponseAlg: 'ES256',
      },
    ],
    accounts: Object.fromEntries(
      Object.entries(PEOPLE).map(([name, person]) => [
        name,
        {
          password: person.password,
          amr: ['pwd'],
          claims: { email: `${name}@example.com`, groups: [...person.groups] },
        },
      ]),
    ),
    skipConsent: options.consent !== true,
  });
  const saml = createTestSamlIdp({
    entityId: SAML_ENTITY_ID,
    ssoUrl: options.samlSsoUrl ?? 'https://idp.saml.test/sso',
  });
  let fixture: GatewayFixture;
  try {
    fixture = await startGatewayFixture({
      port,
      ...(options.now === undefined ? {} : { now: options.now }),
      config: {
        ...(options.sessions === undefined ? {} : { sessions: options.sessions }),
        partition: 'fedgate',
        account: '000000000000',
        portal: { allowedReturnHosts: [ALLOWED_RETURN_HOST], ...options.portal },
        identityProviders: [
          {
            id: OIDC_ID,
            type: 'oidc',
            displayName: 'Corp OIDC',
            issuer: oidc.issuer,
            clientId: CLIENT_ID,
            clientSecret: CLIENT_SECRET,
            scopes: ['openid', 'email'],
            groups: 'claim:groups',
            sessionName: 'claim:email',
          },
          {
            id: SAML_ID,
            type: 'saml',
            displayName: 'Corp SAML',
            issuer: SAML_ENTITY_ID,
            entryPoint: saml.ssoUrl,
            idpCertificates: [saml.certificatePem],
            wantAssertionsSigned: true,
            allowIdpInitiated: options.samlIdpInitiated === true,
            groups: 'attr:groups',
            sessionName: 'attr:email',
          },
        ],
        policies: {
          OrdersRead: {
            Version: '2012-10-17',
            Statement: [
              { Effect: 'Allow', Action: 'orders:GetOrder', Resource: 'arn:fedgate:orders:::order/*' },
            ],
          },
        },
        roles: [
          {
            name: 'Developer',
            description: 'Engineers: read every order',
            trustPolicy:
              options.selfChaining === true
                ? withSelfChaining(trustGroup('developers'))
                : trustGroup('developers'),
            policies: ['OrdersRead'],
            ...(options.selfChaining === true
              ? {
                  inlinePolicies: {
                    Chain: {
                      Version: '2012-10-17',
                      Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: DEVELOPER_ARN }],
                    },
                  },
                }
              : {}),
          },
          {
            name: 'Auditor',
            description: 'Auditors: read-only review of orders',
            trustPolicy: trustGroup('auditors'),
            policies: ['OrdersRead'],
          },
        ],
        routes: [
          {
            host: ORDERS_HOST,
            methods: ['GET'],
            path: '/orders/:orderId',
            action: 'orders:GetOrder',
            resource: 'arn:fedgate:orders:::order/${orderId}',
          },
        ],
      },
    });
  } catch (error) {
    await oidc.stop();
    throw error;
  }

  return {
    url,
    fixture,
    oidc,
    saml,
    async oidcLogin(browser, person, returnTo) {
      const query = returnTo === undefined ? '' : `?return_to=${encodeURIComponent(returnTo)}`;
      const start = await browser.send(`${url}/login/${OIDC_ID}${query}`);
      expect(start.status).toBe(302);
      expect(start.location?.origin).toBe(oidc.issuer);
      const callback = await oidc.login(start.location ?? '', { username: person });
      expect(callback.origin).toBe(url);
      return browser.send(callback);
    },
    authz(sessionCookie, orderId = '42') {
      return fetch(`${url}/authz`, {
        headers: {
          'x-forwarded-method': 'GET',
          'x-forwarded-proto': 'https',
          'x-forwarded-host': ORDERS_HOST,
          'x-forwarded-uri': `/orders/${orderId}`,
          ...(sessionCookie === undefined ? {} : { cookie: `fedgate_session=${sessionCookie}` }),
        },
      });
    },
    async close() {
      await fixture.close();
      await oidc.stop();
    },
  };
}
