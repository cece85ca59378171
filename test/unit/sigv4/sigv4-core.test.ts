import { Sha256 } from '@aws-crypto/sha256-js';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  canonicalQueryString,
  canonicalUri,
  checkRequestTime,
  checkScopeAllowed,
  deriveSigningKey,
  EMPTY_PAYLOAD_SHA256,
  parseSignature,
  sha256Hex,
  SigningKeyCache,
  verifyHmacSignature,
  type SignableRequest,
  type SignatureParameters,
} from '../../../src/sigv4/index.js';

const SECRET = 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY';
const AKID = 'AKIDEXAMPLE';

function signable(
  method: string,
  path: string,
  query: string,
  headers: Record<string, string>,
): SignableRequest {
  const lower = new Map(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), [v]]));
  return { method, path, query, header: (name) => lower.get(name) };
}

function parsed(request: SignableRequest): SignatureParameters {
  const result = parseSignature(request);
  if (result.ok !== true) throw new Error(`not parsed: ${JSON.stringify(result)}`);
  return result.value;
}

function queryOf(q: Record<string, string | string[] | null> | undefined): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(q ?? {}))
    for (const one of Array.isArray(v) ? v : [v ?? ''])
      parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(one)}`);
  return parts.join('&');
}

async function smithySigned(
  input: { path: string; query: Record<string, string>; body?: string; method?: string },
  presign = false,
) {
  const signer = new SignatureV4({
    credentials: { accessKeyId: AKID, secretAccessKey: SECRET, sessionToken: 'tok/en+=' },
    region: 'eu-west-3',
    service: 'execute-api',
    sha256: Sha256,
  });
  const request = new HttpRequest({
    method: input.method ?? 'GET',
    protocol: 'https:',
    hostname: 'api.example.test',
    path: input.path,
    query: input.query,
    headers: { host: 'api.example.test', 'x-custom': '  a   b  ' },
    ...(input.body === undefined ? {} : { body: input.body }),
  });
  const when = new Date('2026-11-30T12:00:00Z');
  const signed = presign
    ? await signer.presign(request, { signingDate: when, expiresIn: 300 })
    : await signer.sign(request, { signingDate: when });
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(signed.headers)) headers[k] = v;
  // the SDK's path is already percent-encoded, as the HTTP client sends it
  return signable(signed.method, signed.path, queryOf(signed.query as Record<string, string>), headers);
}

const NOW = Date.parse('2026-11-30T12:00:00Z') / 1000;

describe('SigV4 core', () => {
  it("matches AWS's documented example (IAM ListUsers, 20150830)", () => {
    const key = deriveSigningKey(SECRET, { date: '20150830', region: 'us-east-1', service: 'iam' });
    expect(key.toString('hex')).toBe('c4afb1cc5771d871763a393e44b703571b55cc28424d1a5e86da6ed3c154a4b9');
    const request = signable('GET', '/', 'Action=ListUsers&Version=2010-05-08', {
      Host: 'iam.amazonaws.com',
      'Content-Type': 'application/x-www-form-urlencoded; charset=utf-8',
      'X-Amz-Date': '20150830T123600Z',
      Authorization:
        'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7',
    });
    const params = parsed(request);
    expect(verifyHmacSignature(request, params, key, { candidates: [EMPTY_PAYLOAD_SHA256] })).toBeUndefined();
  });

  it('verifies what @smithy/signature-v4 signs, header form and presigned, for arbitrary paths and queries', async () => {
    const segment = fc
      .string({ minLength: 1, maxLength: 8 })
      .filter((s) => s !== '.' && s !== '..' && !s.includes('/'));
    await fc.assert(
      fc.asyncProperty(
        fc.array(segment, { maxLength: 4 }),
        fc.dictionary(fc.string({ minLength: 1, maxLength: 6 }), fc.string({ maxLength: 8 }), { maxKeys: 4 }),
        fc.boolean(),
        async (segments, query, presign) => {
          const request = await smithySigned(
            { path: `/${segments.map((s) => encodeURIComponent(s)).join('/')}`, query },
            presign,
          );
          const params = parsed(request);
          const key = deriveSigningKey(SECRET, params.scope);
          expect(params.securityToken).toBe('tok/en+=');
          expect(checkRequestTime(params, NOW)).toBeUndefined();
          expect(
            verifyHmacSignature(request, params, key, { candidates: [EMPTY_PAYLOAD_SHA256] }),
          ).toBeUndefined();
        },
      ),
      { numRuns: 60 },
    );
  });

  it('verifies a signed body only with its payload hash', async () => {
    const request = await smithySigned({ path: '/orders', query: {}, body: '{"a":1}', method: 'POST' });
    const params = parsed(request);
    const key = deriveSigningKey(SECRET, params.scope);
    expect(verifyHmacSignature(request, params, key, { candidates: [sha256Hex('{"a":1}')] })).toBeUndefined();
    expect(verifyHmacSignature(request, params, key, { candidates: [sha256Hex('{"a":2}')] })?.reason).toBe(
      'SignatureDoesNotMatch',
    );
  });

  describe('attacks', () => {
    it('tampered-path: a signature for /orders/1 does not verify for /orders/2', async () => {
      const request = await smithySigned({ path: '/orders/1', query: {} });
      const params = parsed(request);
      const moved = { ...request, path: '/orders/2' };
      const key = deriveSigningKey(SECRET, params.scope);
      expect(verifyHmacSignature(moved, params, key, { candidates: [EMPTY_PAYLOAD_SHA256] })?.reason).toBe(
        'SignatureDoesNotMatch',
      );
    });

    it('added-query-parameter: an extra parameter breaks the signature', async () => {
      const request = await smithySigned({ path: '/a', query: { x: '1' } });
      const params = parsed(request);
      const key = deriveSigningKey(SECRET, params.scope);
      expect(
        verifyHmacSignature({ ...request, query: `${request.query}&admin=true` }, params, key, {
          candidates: [EMPTY_PAYLOAD_SHA256],
        })?.reason,
      ).toBe('SignatureDoesNotMatch');
    });

    it('respelled-signature: the right signature in uppercase hex, or cut short, does not verify', async () => {
      const request = await smithySigned({ path: '/a', query: {} });
      const params = parsed(request);
      const key = deriveSigningKey(SECRET, params.scope);
      const payload = { candidates: [EMPTY_PAYLOAD_SHA256] };
      expect(verifyHmacSignature(request, params, key, payload)).toBeUndefined();
      for (const signature of [
        params.signature.toUpperCase(),
        params.signature.slice(0, 62),
        `${params.signature}00`,
      ])
        expect(verifyHmacSignature(request, { ...params, signature }, key, payload)?.reason).toBe(
          'SignatureDoesNotMatch',
        );
    });

    it('wrong-secret: another secret gives another signature', async () => {
      const request = await smithySigned({ path: '/a', query: {} });
      const params = parsed(request);
      const key = deriveSigningKey(`${SECRET}x`, params.scope);
      expect(verifyHmacSignature(request, params, key, { candidates: [EMPTY_PAYLOAD_SHA256] })?.reason).toBe(
        'SignatureDoesNotMatch',
      );
    });

    it('replayed-late: a header-signed request 16 minutes old is RequestExpired; 14 minutes is accepted', async () => {
      const params = parsed(await smithySigned({ path: '/a', query: {} }));
      expect(checkRequestTime(params, NOW + 16 * 60)?.reason).toBe('RequestExpired');
      expect(checkRequestTime(params, NOW - 16 * 60)?.reason).toBe('RequestExpired');
      expect(checkRequestTime(params, NOW + 14 * 60)).toBeUndefined();
    });

    it('presigned-expired: a presigned URL is refused after X-Amz-Expires', async () => {
      const params = parsed(await smithySigned({ path: '/a', query: {} }, true));
      expect(params.expiresSeconds).toBe(300);
      expect(checkRequestTime(params, NOW + 299)).toBeUndefined();
      expect(checkRequestTime(params, NOW + 301)?.reason).toBe('RequestExpired');
    });

    it('scope-date-mismatch: the credential date must be the X-Amz-Date day', () => {
      const request = signable('GET', '/', '', {
        host: 'h',
        'x-amz-date': '20261130T120000Z',
        authorization: `AWS4-HMAC-SHA256 Credential=${AKID}/20261129/us-east-1/sts/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'a'.repeat(64)}`,
      });
      expect(checkRequestTime(parsed(request), NOW)?.reason).toBe('SignatureDoesNotMatch');
    });

    it('region-not-allowed: a scope outside the allow-list is refused', async () => {
      const params = parsed(await smithySigned({ path: '/a', query: {} }));
      expect(checkScopeAllowed(params, { regions: ['us-east-1'] })?.reason).toBe('SignatureDoesNotMatch');
      expect(checkScopeAllowed(params, { services: ['sts'] })?.reason).toBe('SignatureDoesNotMatch');
      expect(
        checkScopeAllowed(params, { regions: ['eu-west-3'], services: ['execute-api'] }),
      ).toBeUndefined();
    });

    it('both-forms: a header signature and a presigned query together are refused', async () => {
      const presigned = await smithySigned({ path: '/a', query: {} }, true);
      const header = await smithySigned({ path: '/a', query: {} });
      const both = { ...header, query: presigned.query };
      expect(parseSignature(both)).toMatchObject({ ok: false, reason: 'IncompleteSignature' });
    });

    it.each([
      [
        'no-host-signed',
        'Credential=A/20261130/r/s/aws4_request, SignedHeaders=x-amz-date, Signature=' + 'a'.repeat(64),
      ],
      [
        'unsorted-headers',
        'Credential=A/20261130/r/s/aws4_request, SignedHeaders=x-amz-date;host, Signature=' + 'a'.repeat(64),
      ],
      [
        'bad-terminator',
        'Credential=A/20261130/r/s/aws5_request, SignedHeaders=host, Signature=' + 'a'.repeat(64),
      ],
      ['no-signature', 'Credential=A/20261130/r/s/aws4_request, SignedHeaders=host'],
      [
        'uppercase-hex',
        'Credential=A/20261130/r/s/aws4_request, SignedHeaders=host, Signature=' + 'A'.repeat(64),
      ],
    ])('malformed Authorization header (%s) is IncompleteSignature', (_name, rest) => {
      const request = signable('GET', '/', '', {
        host: 'h',
        'x-amz-date': '20261130T120000Z',
        authorization: `AWS4-HMAC-SHA256 ${rest}`,
      });
      expect(parseSignature(request)).toMatchObject({ ok: false, reason: 'IncompleteSignature' });
    });

    it('a Bearer Authorization header is not a SigV4 signature', () => {
      expect(parseSignature(signable('GET', '/', '', { authorization: 'Bearer x' })).ok).toBe('absent');
    });
  });

  it('canonical URI normalises dot segments and double-encodes; canonical query sorts and re-encodes', () => {
    expect(canonicalUri('/a/./b/../c//d%20e/')).toBe('/a/c/d%2520e/');
    expect(canonicalUri('')).toBe('/');
    expect(canonicalQueryString('b=2&a=z&a=y&c')).toBe('a=y&a=z&b=2&c=');
    expect(canonicalQueryString("x=%21'")).toBe('x=%21%27');
    expect(canonicalQueryString('x=%zz')).toBeUndefined();
  });

  it('the signing-key cache derives once per access key and scope and forgets a revoked key', () => {
    const cache = new SigningKeyCache(2);
    let derivations = 0;
    const secret = () => {
      derivations += 1;
      return SECRET;
    };
    const scope = { keyId: AKID, date: '20261130', region: 'r', service: 's' };
    const first = cache.get(scope, secret);
    expect(cache.get(scope, secret)).toBe(first);
    expect(derivations).toBe(1);
    cache.get({ ...scope, date: '20261201' }, secret);
    cache.get({ ...scope, keyId: 'OTHER' }, secret);
    expect(cache.size).toBe(2);
    cache.forget('OTHER');
    expect(cache.size).toBe(1);
  });
});
