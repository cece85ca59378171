/**
 * A running gateway for the AWS-client tests: a real OpenID provider (npm oidc-provider) for web identity, a
 * samlify-signed SAML IdP, and roles for web identity, SAML, chaining, a refused chain and a routed upstream.
 */
import { startTestOidcIdp, type TestOidcIdp } from '../../support/oidc-idp.js';
import { createTestSamlIdp, type TestSamlIdp } from '../../support/saml-idp.js';
import { startGatewayFixture, type GatewayFixture } from '../../support/gateway-fixture.js';

export const ACCOUNT = '000000000000';
export const ROLE = `arn:fedgate:iam::${ACCOUNT}:role`;
export const SAML_PROVIDER_ARN = `arn:fedgate:iam::${ACCOUNT}:saml-provider/corp-saml`;
const SAML_ENTITY_ID = 'https://idp.saml.test/metadata';
/** The host the routed upstream is reached at (through the proxy). */
export const ORDERS_HOST = 'orders.fedgate.test';

/** The gateway, its IdPs and helpers that mint federation tokens. */
export interface AwsClientsBed {
  readonly gateway: GatewayFixture;
  readonly oidc: TestOidcIdp;
  readonly saml: TestSamlIdp;
  /** A CI web-identity token (aud `fedgate`). */
  ciToken(): Promise<string>;
  /** A base64 SAML Response for alice, signed by the samlify IdP. */
  samlResponse(): Promise<string>;
  /** Moves the gateway's clock (only the gateway's) this many seconds ahead of real time; 0 puts it back. */
  setClockAhead(seconds: number): void;
  close(): Promise<void>;
}

const allow = (Action: string | string[], Resource: string | string[] = '*') => ({
  Effect: 'Allow',
  Action,
  Resource,
});

/** Starts the IdPs and the gateway (embedded store). */
export async function startAwsClientsBed(extra: Record<string, unknown> = {}): Promise<AwsClientsBed> {
  let aheadMs = 0;
  const oidc = await startTestOidcIdp({ clients: [], accounts: {} });
  const saml = createTestSamlIdp({ entityId: SAML_ENTITY_ID, ssoUrl: 'https://idp.saml.test/sso' });
  const gateway = await startGatewayFixture({
    config: {
      identityProviders: [
        {
          id: 'ci',
          type: 'oidc',
          issuer: oidc.issuer,
          webIdentityOnly: true,
          audiences: ['fedgate'],
        },
        {
          id: 'corp-saml',
          type: 'saml',
          issuer: SAML_ENTITY_ID,
          entryPoint: saml.ssoUrl,
          allowIdpInitiated: true,
          idpCertificates: [saml.certificatePem],
          wantAssertionsSigned: true,
          groups: 'attr:groups',
          sessionName: 'attr:email',
        },
      ],
      roles: [
        {
          name: 'CiDeploy',
          trustPolicy: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { Federated: 'ci' },
                Action: 'sts:AssumeRoleWithWebIdentity',
                Condition: { StringLike: { 'ci:sub': 'repo:acme/*' } },
              },
            ],
          },
          inlinePolicies: {
            Deploy: {
              Version: '2012-10-17',
              Statement: [
                { Sid: 'Chain', ...allow(['sts:AssumeRole', 'sts:TagSession'], `${ROLE}/Release`) },
                { Sid: 'Decode', ...allow('sts:DecodeAuthorizationMessage') },
                { Sid: 'ReadOrders', ...allow('orders:GetOrder', 'arn:fedgate:orders:::order/*') },
                {
                  Sid: 'Quarantine',
                  Effect: 'Deny',
                  Action: 'orders:*',
                  Resource: 'arn:fedgate:orders:::order/quarantined',
                },
              ],
            },
          },
        },
        {
          name: 'Developer',
          trustPolicy: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { Federated: SAML_PROVIDER_ARN },
                Action: 'sts:AssumeRoleWithSAML',
                Condition: { 'ForAnyValue:StringEquals': { 'fedgate:groups': 'engineers' } },
              },
            ],
          },
          inlinePolicies: { Work: { Version: '2012-10-17', Statement: [allow('orders:*')] } },
        },
        {
          name: 'Release',
          trustPolicy: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { AWS: `${ROLE}/CiDeploy` },
                Action: ['sts:AssumeRole', 'sts:TagSession'],
              },
            ],
          },
          inlinePolicies: { Release: { Version: '2012-10-17', Statement: [allow('deploy:Release')] } },
        },
        {
          // Its trust policy delegates to the account, so CiDeploy's own policies must allow sts:AssumeRole on it: they do not.
          name: 'Admin',
          trustPolicy: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { AWS: `arn:fedgate:iam::${ACCOUNT}:root` },
                Action: 'sts:AssumeRole',
              },
            ],
          },
          inlinePolicies: { All: { Version: '2012-10-17', Statement: [allow('*')] } },
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
        {
          host: ORDERS_HOST,
          methods: ['POST'],
          path: '/orders/:orderId',
          action: 'orders:UpdateOrder',
          resource: 'arn:fedgate:orders:::order/${orderId}',
        },
      ],
      ...extra,
    },
    now: () => Date.now() + aheadMs,
  });
  const nowSeconds = (): number => Math.floor(Date.now() / 1000);
  return {
    gateway,
    oidc,
    saml,
    ciToken: () =>
      oidc.issueIdToken(
        { sub: 'repo:acme/api:ref:refs/heads/main' },
        { aud: 'fedgate', issuedAt: nowSeconds(), expiresIn: 300 },
      ),
    samlResponse: () => {
      const acs = `${gateway.url}/saml/corp-saml/acs`;
      return saml.createResponse({
        destination: acs,
        recipient: acs,
        audience: `${gateway.url}/saml/corp-saml/metadata`,
        nameId: 'alice@example.com',
        attributes: { email: 'alice@example.com', groups: ['engineers'] },
        sign: 'assertion',
      });
    },
    setClockAhead: (seconds) => {
      aheadMs = seconds * 1000;
    },
    close: async () => {
      await gateway.close();
      await oidc.stop();
    },
  };
}
