import { afterEach, describe, expect, it } from 'vitest';
import type { SamlLogin, SamlRejectionReason } from '../../../src/identity-providers/saml/index.js';
import { encodeSamlMessage } from '../../support/saml-idp.js';
import { createSamlHarness, TEST_BROWSER } from './saml-test-provider.js';
import type { ProviderOverrides, SamlHarness } from './saml-test-provider.js';
import { XSW_SHAPES, signatureStillVerifies, signedPartOf, wrapSignature } from './xsw-variants.js';
import type { XswVariant } from './xsw-variants.js';

const VICTIM = 'alice@example.com';
const ATTACKER_WANTS = 'admin@example.com';
const ORIGINAL_ASSERTION_ID = '_signed-original';
const FORGED_ID = '_forged-by-attacker';

const harnesses: SamlHarness[] = [];
afterEach(async () => {
  for (const h of harnesses.splice(0)) {
    h.sp.close();
    await h.store.close();
  }
});

/**
 * XSW1–2 target a deployment where the Response signature is the only one required; XSW3–8 the default
 * where assertions must be signed. Each variant thus attacks the signature the SP actually relies on.
 */
function overridesFor(variant: XswVariant): ProviderOverrides {
  return signedPartOf(variant) === 'response'
    ? { wantResponseSigned: true, wantAssertionsSigned: false }
    : { wantResponseSigned: false, wantAssertionsSigned: true };
}

type Outcome = { readonly login: SamlLogin } | { readonly error: unknown };

async function attempt(h: SamlHarness, base64: string): Promise<Outcome> {
  return h.sp.consumeResponse({ SAMLResponse: base64 }, TEST_BROWSER).then(
    (login) => ({ login }),
    (error: unknown) => ({ error }),
  );
}

/** A fresh, untampered SP-initiated login whose assertion carries `assertionId`. */
async function legitimateLogin(h: SamlHarness, variant: XswVariant, assertionId: string): Promise<string> {
  const requestId = await h.startLogin();
  return h.response({ inResponseTo: requestId, assertionId, sign: signedPartOf(variant) });
}

/**
 * The stable reason each refusal must carry: the check that is meant to catch the shape, not an
 * incidental failure further on. fedgate's own reference walk runs before the library: a copied ID is a
 * `duplicate-id`, a signature whose Reference does not name its own parent an `unresolved-reference`;
 * extra assertions anywhere in the Response are `multiple-assertions`.
 */
const EXPECTED_REASON: Readonly<Record<XswVariant, SamlRejectionReason>> = {
  XSW1: 'duplicate-id',
  XSW2: 'duplicate-id',
  XSW3: 'multiple-assertions',
  XSW4: 'unsigned-assertion',
  XSW5: 'unresolved-reference',
  XSW6: 'unresolved-reference',
  // fedgate reads only the verified assertion, so XSW7 cannot yield the forged identity; a Response that
  // hides a second Assertion is still a forgery and is refused rather than half-read (issue 5).
  XSW7: 'multiple-assertions',
  XSW8: 'unresolved-reference',
};
const VARIANTS = Object.keys(EXPECTED_REASON) as XswVariant[];

describe('XML signature wrapping (XSW1–XSW8, "On Breaking SAML") is refused', () => {
  for (const variant of VARIANTS) {
    it(`${variant}: ${XSW_SHAPES[variant]}`, async () => {
      const h = await createSamlHarness(overridesFor(variant));
      harnesses.push(h);

      // The attacker is a legitimate user (alice) who starts a login and captures her own signed response.
      const requestId = await h.startLogin();
      const signed = await h.responseXml({
        inResponseTo: requestId,
        assertionId: ORIGINAL_ASSERTION_ID,
        nameId: VICTIM,
        attributes: { email: VICTIM, memberOf: ['engineers'], department: 'payments' },
        sign: signedPartOf(variant),
      });
      const wrapped = wrapSignature(variant, signed, {
        forgedId: FORGED_ID,
        from: VICTIM,
        to: ATTACKER_WANTS,
      });

      // The attack is genuine: the forged identity is in the document and the IdP's signature still verifies.
      expect(wrapped).toContain(`>${ATTACKER_WANTS}</saml:NameID>`);
      expect(signatureStillVerifies(wrapped, h.idp.certificatePem)).toBe(true);

      const outcome = await attempt(h, encodeSamlMessage(wrapped));
      expect('login' in outcome ? outcome.login : undefined).toBeUndefined();
      expect('error' in outcome ? outcome.error : undefined).toMatchObject({
        name: 'FedgateError',
        code: 'InvalidSamlResponse',
        reason: EXPECTED_REASON[variant],
      });

      // Nothing the attempt wrote blocks or doubles later logins: neither the signed original's assertion
      // id nor the forged one was recorded as used, and the replay cache still refuses a second use.
      const laterWithOriginalId = await legitimateLogin(h, variant, ORIGINAL_ASSERTION_ID);
      await expect(
        h.sp.consumeResponse({ SAMLResponse: laterWithOriginalId }, TEST_BROWSER),
      ).resolves.toMatchObject({
        subject: VICTIM,
      });
      const laterWithForgedId = await legitimateLogin(h, variant, FORGED_ID);
      await expect(
        h.sp.consumeResponse({ SAMLResponse: laterWithForgedId }, TEST_BROWSER),
      ).resolves.toMatchObject({
        subject: VICTIM,
      });
      const replay = await legitimateLogin(h, variant, ORIGINAL_ASSERTION_ID);
      await expect(h.sp.consumeResponse({ SAMLResponse: replay }, TEST_BROWSER)).rejects.toMatchObject({
        code: 'InvalidSamlResponse',
        reason: 'replayed-assertion',
      });
    });
  }
});
