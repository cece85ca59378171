import fc from 'fast-check';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { credentialsOf } from '../integration/faults/federation-bed.js';
import { expectRefused, refusalOf, startFuzzGateway, type FuzzGateway } from './fuzz-gateway.js';
import { fuzzParameters, hostileTokenString, mutateToken, tokenMutation } from './fuzz-inputs.js';

/*
 * Issue 8: every endpoint that takes a JWT answers random strings, random three-segment base64url strings and
 * mutations of a valid token (bytes flipped in any segment, claims or header changed without re-signing,
 * `alg: none`, `alg: HS256`, segments dropped, swapped or repeated) with a 4xx and a stable code: never a 5xx,
 * never a 200.
 */

const ACCESS_TOKEN = 'urn:ietf:params:oauth:token-type:access_token';
const JWT_BEARER = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';
const BEARER_CODES = ['InvalidToken', 'ExpiredToken', 'ValidationError'];
const OAUTH_CODES = [
  'invalid_request',
  'invalid_grant',
  'invalid_client',
  'invalid_target',
  'unauthorized_client',
];

let fuzz: FuzzGateway;
let sessionToken: string;
let webIdentityToken: string;

beforeAll(async () => {
  fuzz = await startFuzzGateway();
  webIdentityToken = await fuzz.bed.webIdentityToken('alice');
  sessionToken = (await credentialsOf(await fuzz.bed.assumeWithWebIdentity(webIdentityToken))).SessionToken;
});
afterAll(async () => {
  await fuzz?.close();
});

/** Random and JWT-shaped strings, and mutations of `valid()`. */
function hostile(valid: () => string): fc.Arbitrary<string> {
  return fc.oneof(
    hostileTokenString,
    tokenMutation.map((mutation) => mutateToken(valid(), mutation)),
  );
}

interface Case {
  readonly name: string;
  readonly valid: () => string;
  readonly send: (token: string) => Promise<Response>;
  readonly statuses: readonly number[];
  readonly codes: readonly string[];
}

const cases: Case[] = [
  {
    name: 'POST /sts/assume-role-with-web-identity WebIdentityToken',
    valid: () => webIdentityToken,
    send: (token) => fuzz.bed.assumeWithWebIdentity(token),
    statuses: [400, 401, 403],
    codes: ['InvalidIdentityToken', 'ExpiredToken', 'ValidationError', 'IDPRejectedClaim', 'AccessDenied'],
  },
  {
    name: 'POST /sts/assume-role bearer',
    valid: () => sessionToken,
    send: (token) => fuzz.bed.assumeChained(token),
    statuses: [400, 401],
    codes: BEARER_CODES,
  },
  {
    name: 'GET /sts/caller-identity bearer',
    valid: () => sessionToken,
    send: (token) => fuzz.bed.callerIdentity(token),
    statuses: [400, 401],
    codes: BEARER_CODES,
  },
  {
    name: 'POST /sts/revoke bearer',
    valid: () => sessionToken,
    send: (token) => fuzz.bed.revoke(token),
    statuses: [400, 401],
    codes: BEARER_CODES,
  },
  {
    name: 'POST /oauth2/token subject_token',
    valid: () => sessionToken,
    send: (token) => fuzz.bed.exchange(token),
    statuses: [400, 401],
    codes: OAUTH_CODES,
  },
  {
    name: 'POST /oauth2/token actor_token',
    valid: () => sessionToken,
    send: (token) => fuzz.bed.exchange(sessionToken, { actor_token: token, actor_token_type: ACCESS_TOKEN }),
    statuses: [400, 401],
    codes: OAUTH_CODES,
  },
  {
    name: 'POST /oauth2/token client_assertion (private_key_jwt)',
    // No client holds a key here: a token another issuer signed is the closest valid-looking assertion.
    valid: () => webIdentityToken,
    send: (token) =>
      fuzz.bed.exchange(
        sessionToken,
        { client_id: 'reports-app', client_assertion_type: JWT_BEARER, client_assertion: token },
        null,
      ),
    statuses: [400, 401],
    codes: OAUTH_CODES,
  },
  {
    name: 'GET /authz bearer',
    valid: () => sessionToken,
    send: (token) => fuzz.bed.authz({ bearer: token }),
    statuses: [401],
    codes: BEARER_CODES,
  },
  {
    name: 'GET /authz fedgate_session cookie',
    valid: () => sessionToken,
    send: (token) => fuzz.bed.authz({ cookie: token }),
    statuses: [401],
    codes: BEARER_CODES,
  },
  {
    name: 'POST /authz/check token',
    valid: () => sessionToken,
    send: (token) =>
      fuzz.bed.authzCheck({ token, action: 'orders:GetOrder', resource: 'arn:fedgate:orders:::order/1' }),
    statuses: [400, 401],
    codes: BEARER_CODES,
  },
];

describe('JWT inputs: random, JWT-shaped and mutated tokens are refused with a 4xx and a stable code', () => {
  for (const testCase of cases) {
    it(testCase.name, async () => {
      await fc.assert(
        fc.asyncProperty(hostile(testCase.valid), async (token) => {
          const refusal = await refusalOf(await testCase.send(token));
          expectRefused(refusal, testCase.statuses, testCase.codes, JSON.stringify(token));
        }),
        fuzzParameters(100),
      );
    });
  }
});
