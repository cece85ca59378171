import { TRUST_ANY_CORP } from './authorizer-gateway.js';

/**
 * The configuration the authorizer tests share: orders behind routes with path parameters, an ABAC policy
 * set using principal tags, resource tags, source IP, MFA, transport, path and query parameters, and an
 * explicit deny. `overrides` replaces top-level keys.
 */
export function ordersConfig(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    publicUrl: 'https://sso.example.com',
    trustProxies: ['127.0.0.1/32'],
    identityProviders: [
      {
        id: 'corp',
        type: 'oidc',
        issuer: 'https://idp.example.com',
        clientId: 'fedgate',
        webIdentityOnly: true,
      },
    ],
    policies: {
      OrdersRead: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'ReadOwnTeamsOrders',
            Effect: 'Allow',
            Action: 'orders:GetOrder',
            Resource: 'arn:fedgate:orders:::order/*',
            Condition: { StringEquals: { 'aws:ResourceTag/owner': '${aws:PrincipalTag/team}' } },
          },
        ],
      },
      OrdersWrite: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'DeleteWithMfa',
            Effect: 'Allow',
            Action: 'orders:DeleteOrder',
            Resource: 'arn:fedgate:orders:::order/*',
            Condition: { Bool: { 'aws:MultiFactorAuthPresent': 'true' } },
          },
          {
            Sid: 'TeamReports',
            Effect: 'Allow',
            Action: 'orders:GetReport',
            Resource: 'arn:fedgate:orders:::team/${aws:PrincipalTag/team}/report/*',
          },
          {
            Sid: 'AdminStatusDryRun',
            Effect: 'Allow',
            Action: 'admin:Run',
            Resource: 'arn:fedgate:admin:::op/*',
            Condition: {
              StringEquals: { 'fedgate:PathParam/op': 'status', 'fedgate:QueryParam/dryRun': 'true' },
            },
          },
          { Sid: 'App', Effect: 'Allow', Action: 'app:Open', Resource: '*' },
          {
            Sid: 'Simulate',
            Effect: 'Allow',
            Action: 'fedgate:SimulatePrincipalPolicy',
            Resource: 'arn:fedgate:fedgate::000000000000:role/*',
          },
        ],
      },
      NeverOrder666: {
        Version: '2012-10-17',
        Statement: [
          {
            Sid: 'Quarantined',
            Effect: 'Deny',
            Action: 'orders:*',
            Resource: 'arn:fedgate:orders:::order/666',
          },
          {
            Sid: 'OfficeNetworkOnly',
            Effect: 'Deny',
            Action: 'orders:*',
            Resource: '*',
            Condition: { NotIpAddress: { 'aws:SourceIp': ['10.0.0.0/8', '127.0.0.1/32'] } },
          },
        ],
      },
    },
    guardrails: [
      {
        Version: '2012-10-17',
        Statement: [
          { Sid: 'Everything', Effect: 'Allow', Action: '*', Resource: '*' },
          {
            Sid: 'NoPlaintextDeletes',
            Effect: 'Deny',
            Action: 'orders:DeleteOrder',
            Resource: '*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          },
        ],
      },
    ],
    roles: [
      {
        name: 'Developer',
        trustPolicy: TRUST_ANY_CORP,
        policies: ['OrdersRead', 'OrdersWrite', 'NeverOrder666'],
      },
      { name: 'Viewer', trustPolicy: TRUST_ANY_CORP, policies: ['OrdersRead', 'NeverOrder666'] },
    ],
    resources: [{ arn: 'arn:fedgate:orders:::order/*', tags: { owner: 'payments' } }],
    routes: [
      {
        host: 'orders.example.com',
        methods: ['GET'],
        path: '/orders/:orderId',
        action: 'orders:GetOrder',
        resource: 'arn:fedgate:orders:::order/${orderId}',
      },
      {
        host: 'orders.example.com',
        methods: ['DELETE'],
        path: '/orders/:orderId',
        action: 'orders:DeleteOrder',
        resource: 'arn:fedgate:orders:::order/${orderId}',
      },
      {
        host: 'orders.example.com',
        methods: ['GET'],
        path: '/teams/:team/reports/*',
        action: 'orders:GetReport',
        resource: 'arn:fedgate:orders:::team/${team}/report/${wildcard}',
      },
      {
        host: '*.admin.example.com',
        methods: ['POST'],
        path: '/admin/:op',
        action: 'admin:Run',
        resource: 'arn:fedgate:admin:::op/${op}',
      },
      {
        host: 'app.example.com',
        path: '/*',
        action: 'app:Open',
        resource: 'arn:fedgate:app:::page/${wildcard}',
        onUnauthenticated: 'redirect',
      },
    ],
    ...overrides,
  };
}
