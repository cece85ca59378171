import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeSamlMessage } from '../support/saml-idp.js';
import { expectRefused, refusalOf, startFuzzGateway, type FuzzGateway } from './fuzz-gateway.js';
import { describeChange, fuzzParameters, mutateXml, randomXml, xmlMutation } from './fuzz-inputs.js';

/*
 * Issue 8 / SPEC 8: the SAML consumer (the portal's ACS and STS AssumeRoleWithSAML) answers random base64,
 * random XML and mutations of a valid signed response with a 4xx and a stable code: never a 5xx, never a
 * session. The valid response itself is accepted (so the mutations are measured against a working consumer).
 */

const ACS_CODES = ['InvalidSamlResponse', 'ValidationError', 'LoginFailed', 'AccessDenied'];
const STS_CODES = [
  'InvalidSamlResponse',
  'ValidationError',
  'AccessDenied',
  'InvalidIdentityToken',
  'IDPRejectedClaim',
];
const REFUSED = [400, 401, 403, 413];

let fuzz: FuzzGateway;
let validXml: string;

beforeAll(async () => {
  fuzz = await startFuzzGateway();
  validXml = decodeSamlMessage(await fuzz.bed.samlResponse('alice', { sign: 'assertion' }));
});
afterAll(async () => {
  await fuzz?.close();
});

const encode = (xml: string): string => Buffer.from(xml, 'utf8').toString('base64');

const randomBase64 = fc.oneof(
  fc.uint8Array({ maxLength: 2000 }).map((bytes) => Buffer.from(bytes).toString('base64')),
  fc.string({ maxLength: 400 }),
  fc.string({ maxLength: 400 }).map((text) => Buffer.from(text, 'utf8').toString('base64')),
);

describe('POST /saml/:idp/acs', () => {
  it('random base64 and random strings: 4xx with a stable code', async () => {
    await fc.assert(
      fc.asyncProperty(randomBase64, async (input) => {
        expectRefused(
          await refusalOf(await fuzz.bed.postAcs({ SAMLResponse: input })),
          REFUSED,
          ACS_CODES,
          input,
        );
      }),
      fuzzParameters(),
    );
  });

  it('random XML (nested SAML elements, DTDs, entities, comments, broken markup): 4xx with a stable code', async () => {
    await fc.assert(
      fc.asyncProperty(randomXml, async (xml) => {
        expectRefused(
          await refusalOf(await fuzz.bed.postAcs({ SAMLResponse: encode(xml) })),
          REFUSED,
          ACS_CODES,
          xml,
        );
      }),
      fuzzParameters(),
    );
  });

  it('mutations of a valid signed response (content, truncation, XSW, signatures removed, DTD): 4xx with a stable code', async () => {
    await fc.assert(
      fc.asyncProperty(xmlMutation, async (mutation) => {
        const xml = mutateXml(validXml, mutation);
        const refusal = await refusalOf(await fuzz.bed.postAcs({ SAMLResponse: encode(xml) }));
        expectRefused(refusal, REFUSED, ACS_CODES, describeChange(validXml, xml));
      }),
      fuzzParameters(),
    );
  });

  it('a response whose own signature no longer verifies is refused, though its assertion signature does', async () => {
    const signedTwice = decodeSamlMessage(await fuzz.bed.samlResponse('bob', { sign: 'both' }));
    // Only the Response element's Version changes: covered by the response signature, not by the assertion's.
    const tampered = signedTwice.replace(/(<samlp:Response[^>]*?) Version="2.0"/, '$1 Version="2.1"');
    expect(tampered).not.toBe(signedTwice);
    expectRefused(
      await refusalOf(await fuzz.bed.postAcs({ SAMLResponse: encode(tampered) })),
      REFUSED,
      ACS_CODES,
      describeChange(signedTwice, tampered),
    );
  });

  it('the unmutated response signs in (the mutations were refused for what they changed)', async () => {
    const interstitial = await fuzz.bed.postAcs({ SAMLResponse: encode(validXml) });
    expect(interstitial.status).toBe(200);
    const answer = await fuzz.bed.confirmAcs(interstitial);
    expect(answer.status).toBe(303);
  });
});

describe('POST /sts/assume-role-with-saml', () => {
  it('random base64, random XML and mutated valid responses: 4xx with a stable code', async () => {
    const valid = decodeSamlMessage(await fuzz.bed.samlResponse('carol', { sign: 'assertion' }));
    const input = fc.oneof(
      randomBase64,
      randomXml.map(encode),
      xmlMutation.map((mutation) => encode(mutateXml(valid, mutation))),
    );
    await fc.assert(
      fc.asyncProperty(input, async (assertion) => {
        expectRefused(
          await refusalOf(await fuzz.bed.assumeWithSaml(assertion)),
          REFUSED,
          STS_CODES,
          assertion,
        );
      }),
      fuzzParameters(),
    );
    expect((await fuzz.bed.assumeWithSaml(encode(valid))).status).toBe(200);
  });

  it('random JSON bodies: 4xx with a stable code', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(
          fc.constantFrom(
            'RoleName',
            'RoleArn',
            'ProviderId',
            'PrincipalArn',
            'SAMLAssertion',
            'DurationSeconds',
            'Policy',
            'x',
          ),
          fc.jsonValue({ maxDepth: 2 }),
        ),
        async (body) => {
          const refusal = await refusalOf(
            await fetch(`${fuzz.bed.url}/sts/assume-role-with-saml`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify(body),
            }),
          );
          expectRefused(refusal, REFUSED, STS_CODES, JSON.stringify(body));
        },
      ),
      fuzzParameters(),
    );
  });
});
