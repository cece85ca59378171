import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  loopbackUrl,
  reserveLoopbackPort,
  startGatewayFixture,
  type GatewayFixture,
} from '../../support/gateway-fixture.js';
import {
  createPythonSamlIdp,
  type PythonSamlIdp,
  type PythonSamlIdpAnswer,
  type PythonSamlIdpKind,
} from '../../support/python-saml-idp.js';
import { createTestKeyPair } from '../../support/saml-idp.js';
import { HttpBrowser, setCookieLine, textOf } from '../portal/http-browser.js';

/**
 * fedgate's SAML SP against two IdP implementations we did not write, each run as a subprocess: pysaml2 and
 * Lasso. The login is SP-initiated exactly as a browser does it: fedgate's own SP metadata is fetched over HTTP
 * and loaded into the IdP, the browser follows `/login/<idp>` to the IdP with the AuthnRequest (HTTP-Redirect),
 * and posts the IdP's signed response to the ACS with its cookies (HTTP-POST).
 */

const ORDERS_HOST = 'orders.test';

interface IdpUnderTest {
  readonly kind: PythonSamlIdpKind;
  /** The IdP library's local attribute names, given to the script. */
  readonly local: { readonly email: string; readonly groups: string; readonly department: string };
  /** The attribute names on the wire, as fedgate's provider configuration names them. */
  readonly wire: { readonly email: string; readonly groups: string; readonly department: string };
  /** The IdP also signs the Response, so the provider can require it. */
  readonly signsResponse: boolean;
  /** The content encryption the IdP uses for an EncryptedAssertion (its only one, or its default). */
  readonly contentEncryption: string;
}

const IDPS: readonly IdpUnderTest[] = [
  {
    // pysaml2 names attributes from its urn:oid map (NameFormat uri), as real pysaml2 deployments send them.
    kind: 'pysaml2',
    local: { email: 'mail', groups: 'isMemberOf', department: 'departmentNumber' },
    wire: {
      email: 'urn:oid:0.9.2342.19200300.100.1.3',
      groups: 'urn:oid:1.3.6.1.4.1.5923.1.5.1.1',
      department: 'urn:oid:2.16.840.1.113730.3.1.2',
    },
    signsResponse: false,
    // pysaml2 7's create_authn_response encrypts with Triple DES only (XML Encryption: required to implement).
    contentEncryption: 'http://www.w3.org/2001/04/xmlenc#tripledes-cbc',
  },
  {
    // Lasso sends basic names, untyped AttributeValues, and signs the Response as well as the assertion.
    kind: 'lasso',
    local: { email: 'email', groups: 'groups', department: 'department' },
    wire: { email: 'email', groups: 'groups', department: 'department' },
    signsResponse: true,
    contentEncryption: 'http://www.w3.org/2001/04/xmlenc#aes128-cbc',
  },
];

function trustGroup(provider: string, group: string): Record<string, unknown> {
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Federated: provider },
        Action: ['sts:AssumeRoleWithSAML', 'sts:TagSession'],
        Condition: { 'ForAnyValue:StringEquals': { 'fedgate:groups': group } },
      },
    ],
  };
}

describe.each(IDPS)('$kind as the SAML IdP of a running gateway', (idpUnderTest) => {
  const { kind, local, wire } = idpUnderTest;
  let idp: PythonSamlIdp;
  let gateway: GatewayFixture;
  const spEncryption = createTestKeyPair('fedgate-sp-encryption');

  beforeAll(async () => {
    idp = await createPythonSamlIdp(kind, {
      entityId: `https://${kind}.idp.test/metadata`,
      ssoUrl: `https://${kind}.idp.test/sso`,
    });
    const port = await reserveLoopbackPort();
    gateway = await startGatewayFixture({
      port,
      config: {
        publicUrl: loopbackUrl(port),
        partition: 'fedgate',
        account: '000000000000',
        identityProviders: [
          {
            id: kind,
            type: 'saml',
            displayName: `${kind} IdP`,
            issuer: idp.entityId,
            entryPoint: idp.ssoUrl,
            idpCertificates: [idp.certificatePem],
            wantAssertionsSigned: true,
            wantResponseSigned: idpUnderTest.signsResponse,
            groups: `attr:${wire.groups}`,
            sessionName: `attr:${wire.email}`,
            tags: { team: `attr:${wire.department}` },
            // Published in the SP metadata (KeyDescriptor use="encryption"), where the IdPs find it.
            decryptionKey: spEncryption.privateKeyPem,
            decryptionCertificate: spEncryption.certificatePem,
          },
        ],
        policies: {
          // Only the payments team reads orders: the decision depends on the tag mapped from the IdP.
          PaymentsOrders: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Action: 'orders:GetOrder',
                Resource: 'arn:fedgate:orders:::order/*',
                Condition: { StringEquals: { 'aws:PrincipalTag/team': 'payments' } },
              },
            ],
          },
        },
        roles: [
          { name: 'Developer', trustPolicy: trustGroup(kind, 'developers'), policies: ['PaymentsOrders'] },
          { name: 'Auditor', trustPolicy: trustGroup(kind, 'auditors'), policies: ['PaymentsOrders'] },
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
  });
  afterAll(async () => {
    await gateway?.close();
    await idp?.close();
  });

  const acsUrl = () => `${gateway.url}/saml/${kind}/acs`;

  /** The browser starts a login at the gateway and carries the AuthnRequest to the IdP, which answers it. */
  async function signInAtIdp(
    browser: HttpBrowser,
    person: { readonly email: string; readonly groups: readonly string[]; readonly department: string },
    returnTo = '/orders/7',
    options: { readonly encryptAssertion?: boolean } = {},
  ): Promise<PythonSamlIdpAnswer> {
    const metadata = await browser.send(`${gateway.url}/saml/${kind}/metadata`);
    expect(metadata.status).toBe(200);
    const start = await browser.send(
      `${gateway.url}/login/${kind}?return_to=${encodeURIComponent(returnTo)}`,
    );
    expect(start.status).toBe(302);
    expect(`${start.location?.origin}${start.location?.pathname}`).toBe(idp.ssoUrl);
    expect(start.location?.searchParams.has('SAMLRequest')).toBe(true);
    const answer = await idp.answer(
      start.location?.href ?? '',
      metadata.body,
      {
        nameId: person.email,
        attributes: {
          [local.email]: [person.email],
          [local.groups]: [...person.groups],
          [local.department]: [person.department],
        },
      },
      options,
    );
    // The IdP found fedgate's ACS in fedgate's metadata, and sends the RelayState back unchanged.
    expect(answer.acsUrl).toBe(acsUrl());
    expect(answer.form.RelayState).toBe(returnTo);
    return answer;
  }

  function authz(sessionCookie: string | undefined, orderId: string): Promise<Response> {
    return fetch(`${gateway.url}/authz`, {
      headers: {
        'x-forwarded-method': 'GET',
        'x-forwarded-proto': 'https',
        'x-forwarded-host': ORDERS_HOST,
        'x-forwarded-uri': `/orders/${orderId}`,
        ...(sessionCookie === undefined ? {} : { cookie: `fedgate_session=${sessionCookie}` }),
      },
    });
  }

  function failuresSince(mark: number): (string | undefined)[] {
    return gateway.audit
      .slice(mark)
      .filter((record) => record.event === 'login.failed' && record.provider === kind)
      .map((record) => record.reason);
  }

  it(`a ${kind} response to fedgate's AuthnRequest signs in: subject, role, and attributes as session tags`, async () => {
    const browser = new HttpBrowser();
    const email = `alice.${kind}@example.com`;
    const answer = await signInAtIdp(browser, { email, groups: ['developers'], department: 'payments' });
    const xml = Buffer.from(answer.form.SAMLResponse, 'base64').toString('utf8');
    expect(xml).toContain('http://www.w3.org/2001/04/xmldsig-more#rsa-sha256');
    expect(xml).toContain('AuthnStatement');

    const signedIn = await browser.send(answer.acsUrl, { form: answer.form });

    expect(signedIn.status).toBe(303);
    expect(signedIn.location?.href).toBe(`${gateway.url}/orders/7`);
    expect(setCookieLine(signedIn, 'fedgate_session')).toBeDefined();
    const sessions = await gateway.gateway.sessions.list({ subject: email });
    expect(sessions).toHaveLength(1);
    expect(sessions[0]).toMatchObject({
      provider: kind,
      subject: email,
      roleName: 'Developer',
      sessionName: email,
      tags: { team: 'payments' },
    });
    // The tag the IdP sent is what lets this session read orders.
    expect((await authz(browser.cookie('fedgate_session'), '7')).status).toBe(200);
    expect(gateway.audit.some((r) => r.event === 'login.succeeded' && r.provider === kind)).toBe(true);
  });

  it(`a ${kind} identity in another team signs in but its session tag does not open the orders`, async () => {
    const browser = new HttpBrowser();
    const email = `bob.${kind}@example.com`;
    const answer = await signInAtIdp(browser, { email, groups: ['developers'], department: 'sales' });

    expect((await browser.send(answer.acsUrl, { form: answer.form })).status).toBe(303);

    const sessions = await gateway.gateway.sessions.list({ subject: email });
    expect(sessions.map((session) => [session.roleName, session.tags])).toEqual([
      ['Developer', { team: 'sales' }],
    ]);
    expect((await authz(browser.cookie('fedgate_session'), '7')).status).toBe(403);
  });

  it(`an assertion ${kind} encrypts to the certificate in fedgate's metadata is decrypted and signs in`, async () => {
    const browser = new HttpBrowser();
    const email = `dana.${kind}@example.com`;
    const answer = await signInAtIdp(
      browser,
      { email, groups: ['developers'], department: 'payments' },
      '/orders/7',
      { encryptAssertion: true },
    );
    const xml = Buffer.from(answer.form.SAMLResponse, 'base64').toString('utf8');
    expect(xml).toContain('EncryptedAssertion');
    expect(xml).toContain(`Algorithm="${idpUnderTest.contentEncryption}"`);
    expect(xml).not.toContain(email);

    const signedIn = await browser.send(answer.acsUrl, { form: answer.form });

    expect(signedIn.status).toBe(303);
    const sessions = await gateway.gateway.sessions.list({ subject: email });
    expect(sessions.map((session) => [session.roleName, session.tags])).toEqual([
      ['Developer', { team: 'payments' }],
    ]);
  });

  it(`replay: the same ${kind} response posted a second time is refused and creates no session`, async () => {
    const browser = new HttpBrowser();
    const email = `carol.${kind}@example.com`;
    const answer = await signInAtIdp(browser, { email, groups: ['developers'], department: 'payments' });
    expect((await browser.send(answer.acsUrl, { form: answer.form })).status).toBe(303);
    const after = await gateway.gateway.sessions.list({ subject: email });
    expect(after).toHaveLength(1);
    const mark = gateway.audit.length;

    const replay = await browser.send(answer.acsUrl, { form: answer.form });

    expect(replay.status).toBe(400);
    expect(textOf(replay.body)).toContain('Sign-in failed');
    expect(setCookieLine(replay, 'fedgate_session')).toBeUndefined();
    expect(await gateway.gateway.sessions.list({ subject: email })).toEqual(after);
    // The request it answered was used up by the first post.
    expect(failuresSince(mark)).toEqual(['unknown-in-response-to']);
  });

  it(`login CSRF: a ${kind} response to a login another browser started is refused, and stays usable there`, async () => {
    const attacker = new HttpBrowser();
    const victim = new HttpBrowser();
    const email = `mallory.${kind}@example.com`;
    const attackersAnswer = await signInAtIdp(attacker, {
      email,
      groups: ['developers'],
      department: 'payments',
    });
    // The victim has a login of their own under way, so their browser holds a binding cookie too.
    await signInAtIdp(victim, {
      email: `victim.${kind}@example.com`,
      groups: ['developers'],
      department: 'payments',
    });
    const mark = gateway.audit.length;

    const posted = await victim.send(attackersAnswer.acsUrl, { form: attackersAnswer.form });

    expect(posted.status).toBe(400);
    expect(textOf(posted.body)).toContain('started in another browser');
    expect(setCookieLine(posted, 'fedgate_session')).toBeUndefined();
    expect(victim.cookie('fedgate_session')).toBeUndefined();
    expect(await gateway.gateway.sessions.list({ subject: email })).toEqual([]);
    expect(failuresSince(mark)).toEqual(['browser-mismatch']);
    // The refusal is about the browser, not the response: where the login started, it still signs in.
    expect((await attacker.send(attackersAnswer.acsUrl, { form: attackersAnswer.form })).status).toBe(303);
    expect((await gateway.gateway.sessions.list({ subject: email })).map((s) => s.roleName)).toEqual([
      'Developer',
    ]);
  });
});
