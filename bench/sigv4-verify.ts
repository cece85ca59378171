/**
 * What verifying one SigV4 signature costs on its own, with nothing of HTTP around it: the floor under the b3
 * scenario of bench/authorizer.ts (issue 14's target, b3 >= 0.6x bare node:http).
 *
 *   npm run build && npx tsx bench/sigv4-verify.ts      (BENCH_ROUNDS=5, BENCH_CALLS=200000 by default)
 *
 * The request is b3's: a GET signed in the header form by @smithy/signature-v4 with a session token in
 * X-Amz-Security-Token (BENCH_TOKEN_CHARS long, default 1,000), verified with a cached derived signing key as the
 * authorizer verifies it (parseSignature, then verifyHmacSignature). Beside it, in the same rounds, the pieces no
 * verifier can skip: one SHA-256 of the canonical request, and one HMAC-SHA256 of the string to sign. Prints the
 * median microseconds per call over rounds.
 */
import { createSecretKey, randomBytes } from 'node:crypto';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from '../test/support/node-sha256.js';
import type * as SigV4Module from '../src/sigv4/index.js';

const FROM = process.env['BENCH_FROM_SOURCE'] === '1' ? '../src' : '../dist';
const sigv4 = (await import(`${FROM}/sigv4/index.js`).catch((error: unknown) => {
  throw new Error(`cannot load ${FROM}/sigv4: run \`npm run build\` first (${String(error)})`);
})) as typeof SigV4Module;

const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 5);
const CALLS = Number(process.env['BENCH_CALLS'] ?? 200_000);
const TOKEN_CHARS = Number(process.env['BENCH_TOKEN_CHARS'] ?? 1_000);
const HOST = 'orders.internal.example';

const credential = {
  accessKeyId: 'FGIA' + randomBytes(8).toString('hex').toUpperCase(),
  secretAccessKey: randomBytes(30).toString('base64'),
  sessionToken: randomBytes(TOKEN_CHARS).toString('base64url').slice(0, TOKEN_CHARS),
};
const signed = await new SignatureV4({
  credentials: credential,
  region: 'us-east-1',
  service: 'orders',
  sha256: NodeSha256,
}).sign(
  new HttpRequest({
    method: 'GET',
    protocol: 'http:',
    hostname: HOST,
    path: '/orders/42',
    headers: { host: HOST },
  }),
);
const headers = Object.fromEntries(
  Object.entries(signed.headers).map(([name, value]) => [name.toLowerCase(), value]),
);
const request: SigV4Module.SignableRequest = {
  method: 'GET',
  path: '/orders/42',
  query: '',
  header: (name) => {
    const value = headers[name];
    return value === undefined ? undefined : [value];
  },
};

const parsed = sigv4.parseSignature(request);
if (parsed.ok !== true) throw new Error('the signed request does not parse');
const params = parsed.value;
const signingKey = createSecretKey(sigv4.deriveSigningKey(credential.secretAccessKey, params.scope));
const payload = { candidates: [sigv4.EMPTY_PAYLOAD_SHA256] };
const canonical = sigv4.canonicalRequest(request, {
  signedHeaders: params.signedHeaders,
  payloadHash: sigv4.EMPTY_PAYLOAD_SHA256,
});
if (!canonical.ok) throw new Error('no canonical request');
const toSign = sigv4.stringToSign(params.algorithm, params.requestDateTime, params.scope, canonical.value);

const cases: { readonly name: string; run(): unknown }[] = [
  {
    name: 'parse + verify (as the authorizer does)',
    run: () => {
      const p = sigv4.parseSignature(request);
      if (p.ok !== true) throw new Error('parse');
      if (
        sigv4.verifyHmacSignature(request, p.value, signingKey, payload, 'normalise-and-encode') !== undefined
      )
        throw new Error('the signature does not verify');
    },
  },
  { name: 'parse only', run: () => sigv4.parseSignature(request) },
  { name: 'SHA-256 of the canonical request', run: () => sigv4.sha256Hex(canonical.value) },
  { name: 'HMAC-SHA256 of the string to sign', run: () => sigv4.hmacSignature(signingKey, toSign) },
];

function timeOnce(run: () => unknown): number {
  const started = process.hrtime.bigint();
  for (let i = 0; i < CALLS; i++) run();
  return Number(process.hrtime.bigint() - started) / 1e3 / CALLS;
}

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

for (const c of cases) timeOnce(c.run); // warm-up: every case compiled before any is timed
const perRound: number[][] = cases.map(() => []);
for (let round = 0; round < ROUNDS; round++) cases.forEach((c, i) => perRound[i]!.push(timeOnce(c.run)));

console.log(
  `SigV4 verification alone: ${ROUNDS} interleaved rounds of ${CALLS} calls; session token ${TOKEN_CHARS} chars, ` +
    `canonical request ${canonical.value.length} bytes; node ${process.version}\n`,
);
console.log('case                                        µs/call (median)   rounds');
cases.forEach((c, i) =>
  console.log(
    `${c.name.padEnd(44)} ${median(perRound[i]!).toFixed(2).padStart(8)}           ${perRound[i]!.map((v) => v.toFixed(2)).join(', ')}`,
  ),
);
