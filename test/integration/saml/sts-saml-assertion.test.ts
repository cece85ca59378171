import { afterEach, describe, expect, it } from 'vitest';
import { expectRefused } from './saml-expect.js';
import { createSamlHarness, TEST_BROWSER } from './saml-test-provider.js';
import type { SamlHarness } from './saml-test-provider.js';

let h: SamlHarness;
afterEach(async () => {
  h.sp.close();
  await h.store.close();
});

describe('AssumeRoleWithSAML assertion verification', () => {
  it('accepts a response without InResponseTo even when IdP-initiated browser login is off', async () => {
    h = await createSamlHarness({ allowIdpInitiated: false });
    const identity = await h.sp.verifyStsAssertion(await h.response());
    expect(identity).toMatchObject({ subject: 'alice@example.com', provider: 'corp-saml' });
  });

  it('accepts a response that answers some earlier AuthnRequest (the CLI ran the login)', async () => {
    h = await createSamlHarness();
    await expect(
      h.sp.verifyStsAssertion(await h.response({ inResponseTo: '_cli-request' })),
    ).resolves.toMatchObject({
      subject: 'alice@example.com',
    });
  });

  it('replayed-assertion: the same SAMLAssertion presented twice', async () => {
    h = await createSamlHarness();
    const response = await h.response();
    await h.sp.verifyStsAssertion(response);
    await expectRefused(h.sp.verifyStsAssertion(response), 'replayed-assertion');
  });

  it('replayed-assertion: an assertion already used for a browser login cannot be replayed to the STS', async () => {
    h = await createSamlHarness();
    const response = await h.response({ inResponseTo: await h.startLogin() });
    await h.sp.consumeResponse({ SAMLResponse: response }, TEST_BROWSER);
    await expectRefused(h.sp.verifyStsAssertion(response), 'replayed-assertion');
  });

  it('applies the same audience, recipient, destination, issuer and signature checks', async () => {
    h = await createSamlHarness();
    await expectRefused(
      h.sp.verifyStsAssertion(await h.response({ audience: 'https://other.test' })),
      'wrong-audience',
    );
    await expectRefused(
      h.sp.verifyStsAssertion(await h.response({ recipient: 'https://other.test' })),
      'wrong-recipient',
    );
    await expectRefused(
      h.sp.verifyStsAssertion(await h.response({ destination: 'https://other.test' })),
      'wrong-destination',
    );
    await expectRefused(
      h.sp.verifyStsAssertion(await h.response({ issuer: 'https://evil.test' })),
      'wrong-issuer',
    );
    await expectRefused(h.sp.verifyStsAssertion(await h.response({ sign: 'none' })), 'unsigned-assertion');
  });

  it('reads the AWS compatibility attributes (SPEC 5.3)', async () => {
    h = await createSamlHarness();
    const identity = await h.sp.verifyStsAssertion(
      await h.response({
        attributes: {
          email: 'alice@example.com',
          department: 'payments',
          'https://aws.amazon.com/SAML/Attributes/Role': [
            'arn:fedgate:iam::000000000000:role/Developer,arn:fedgate:iam::000000000000:saml-provider/corp-saml',
            'arn:fedgate:iam::000000000000:saml-provider/corp-saml,arn:fedgate:iam::000000000000:role/Auditor',
          ],
          'https://aws.amazon.com/SAML/Attributes/RoleSessionName': 'alice-cli',
          'https://aws.amazon.com/SAML/Attributes/SessionDuration': '7200',
          'https://aws.amazon.com/SAML/Attributes/SourceIdentity': 'alice',
          'https://aws.amazon.com/SAML/Attributes/PrincipalTag:project': 'orders',
          'https://aws.amazon.com/SAML/Attributes/TransitiveTagKeys': ['project'],
        },
      }),
    );
    expect(identity).toMatchObject({
      allowedRoleArns: [
        'arn:fedgate:iam::000000000000:role/Developer',
        'arn:fedgate:iam::000000000000:role/Auditor',
      ],
      sessionDuration: 7200,
      sourceIdentity: 'alice',
      tags: { project: 'orders', team: 'payments' },
      transitiveTagKeys: ['project'],
      // the provider's own sessionName mapping (attr:email) comes before the AWS RoleSessionName
      sessionName: 'alice@example.com',
    });
  });
});
