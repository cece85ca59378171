import { expect } from 'vitest';
import type { SamlRejectionReason } from '../../../src/identity-providers/saml/index.js';

/** Asserts the SAML message was refused with InvalidSamlResponse and this stable internal reason. */
export async function expectRefused(attempt: Promise<unknown>, reason: SamlRejectionReason): Promise<void> {
  await expect(attempt).rejects.toMatchObject({
    name: 'FedgateError',
    code: 'InvalidSamlResponse',
    internal: reason,
  });
}
