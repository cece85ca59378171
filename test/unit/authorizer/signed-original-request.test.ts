import { describe, expect, it } from 'vitest';
import { payloadDeclaration } from '../../../src/authorizer/signed-original-request.js';
import type { SignatureParameters } from '../../../src/sigv4/index.js';

const EMPTY = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const HASH = 'b'.repeat(64);
const params = (form: 'header' | 'query'): SignatureParameters => ({
  form,
  algorithm: 'AWS4-HMAC-SHA256',
  scope: { keyId: 'K', date: '20260101', region: 'us-east-1', service: 'orders' },
  signedHeaders: ['host'],
  signature: 'a'.repeat(64),
  requestDateTime: '20260101T000000Z',
  securityToken: 't',
  expiresSeconds: form === 'query' ? 300 : undefined,
});
const candidates = (d: ReturnType<typeof payloadDeclaration>) => (d.ok ? d.payload.candidates : d.reason);

describe('the payload hash a forward-auth SigV4 check verifies over, per route sigv4Payload', () => {
  it('any: the declared value as sent; none declared is the empty body (header) or either presign form', () => {
    expect(candidates(payloadDeclaration(params('header'), HASH, 'any'))).toEqual([HASH]);
    expect(candidates(payloadDeclaration(params('header'), 'UNSIGNED-PAYLOAD', 'any'))).toEqual([
      'UNSIGNED-PAYLOAD',
    ]);
    expect(candidates(payloadDeclaration(params('header'), undefined, 'any'))).toEqual([EMPTY]);
    expect(candidates(payloadDeclaration(params('query'), undefined, 'any'))).toEqual([
      'UNSIGNED-PAYLOAD',
      EMPTY,
    ]);
  });
  it('signed: UNSIGNED-PAYLOAD refused, declared or empty hash only', () => {
    expect(candidates(payloadDeclaration(params('header'), 'UNSIGNED-PAYLOAD', 'signed'))).toBe(
      'PayloadSigningNotAccepted',
    );
    expect(candidates(payloadDeclaration(params('query'), undefined, 'signed'))).toEqual([EMPTY]);
  });
  it('unsigned: UNSIGNED-PAYLOAD only (a presigned URL without the header is unsigned)', () => {
    expect(candidates(payloadDeclaration(params('header'), HASH, 'unsigned'))).toBe(
      'PayloadSigningNotAccepted',
    );
    expect(candidates(payloadDeclaration(params('header'), undefined, 'unsigned'))).toBe(
      'PayloadSigningNotAccepted',
    );
    expect(candidates(payloadDeclaration(params('query'), undefined, 'unsigned'))).toEqual([
      'UNSIGNED-PAYLOAD',
    ]);
  });
  it('streaming or repeated declarations are refused: the authorizer cannot stand behind them', () => {
    expect(
      candidates(payloadDeclaration(params('header'), 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', 'any')),
    ).toBe('PayloadSigningNotAccepted');
    expect(candidates(payloadDeclaration(params('header'), `${HASH}, ${HASH}`, 'any'))).toBe(
      'IncompleteSignature',
    );
  });
});
