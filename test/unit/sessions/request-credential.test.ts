import { describe, expect, it } from 'vitest';
import { parseCookies, readCredential } from '../../../src/sessions/index.js';

const browser = { cookie: true } as const;
const api = { cookie: false } as const;
const token = (reading: ReturnType<typeof readCredential>): string | undefined =>
  reading.status === 'present' ? reading.credential.token : undefined;

describe('the one reader of session credentials', () => {
  it('Authorization: Bearer first, case-insensitive scheme', () => {
    const reading = readCredential(
      { authorization: 'bearer abc.def.ghi', cookie: 'fedgate_session=other' },
      browser,
    );
    expect(reading).toEqual({
      status: 'present',
      credential: { kind: 'session-token', from: 'bearer', token: 'abc.def.ghi' },
    });
  });
  it('the fedgate_session cookie otherwise, not a cookie whose name merely ends the same', () => {
    expect(token(readCredential({ cookie: 'x_fedgate_session=no; fedgate_session=yes' }, browser))).toBe(
      'yes',
    );
    expect(readCredential({ cookie: 'x_fedgate_session=no' }, browser)).toEqual({ status: 'absent' });
  });
  it('APIs read no cookie', () => {
    expect(readCredential({ cookie: 'fedgate_session=yes' }, api)).toEqual({ status: 'absent' });
  });
  it('another scheme is no credential', () => {
    expect(readCredential({ authorization: 'Basic dXNlcjpwYXNz' }, api)).toEqual({ status: 'absent' });
  });
  it('an empty, non-token or oversized bearer is malformed: present but refused', () => {
    for (const authorization of [
      'Bearer ',
      'Bearer',
      'Bearer a b',
      'Bearer a"b',
      `Bearer ${'a'.repeat(9000)}`,
    ])
      expect(readCredential({ authorization }, api)).toEqual({ status: 'malformed' });
    expect(readCredential({ cookie: 'fedgate_session=' }, browser)).toEqual({ status: 'malformed' });
  });
});

describe('the one cookie parser', () => {
  it('first value wins, quotes are dropped, percent-encoding decoded where valid', () => {
    expect(parseCookies('a=1; a=2; b="x y"; c=%41; d=%zz')).toMatchObject({
      a: '1',
      b: 'x y',
      c: 'A',
      d: '%zz',
    });
  });
  it('a cookie named like an Object property is just a cookie', () => {
    const cookies = parseCookies('__proto__=x; constructor=y');
    expect(cookies['constructor']).toBe('y');
    expect(Object.getPrototypeOf(cookies)).toBeNull();
  });
});

describe('the same reader, given the request as signed (the authorizer), reads SigV4 signatures', () => {
  const SIG = 'a'.repeat(64);
  const signed = (query: string, headers: Record<string, string>) => ({
    method: 'GET',
    path: '/orders/1',
    query,
    header: (name: string) => (headers[name] === undefined ? undefined : [headers[name]]),
  });
  const authorization = `AWS4-HMAC-SHA256 Credential=FAKIAEXAMPLE/20260101/us-east-1/orders/aws4_request, SignedHeaders=host;x-amz-date, Signature=${SIG}`;

  it('an AWS4 Authorization header is a sigv4 credential, before any cookie', () => {
    const headers = { authorization, 'x-amz-date': '20260101T000000Z', host: 'orders.example.com' };
    const reading = readCredential(
      { authorization, cookie: 'fedgate_session=abc', signed: signed('', headers) },
      browser,
    );
    expect(reading.status === 'present' && reading.credential.kind).toBe('sigv4');
    expect(reading.status === 'present' && reading.credential.from).toBe('header');
  });

  it('a presigned query is a sigv4 credential from the query', () => {
    const query = `X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=FAKIAEXAMPLE%2F20260101%2Fus-east-1%2Forders%2Faws4_request&X-Amz-Date=20260101T000000Z&X-Amz-Expires=300&X-Amz-SignedHeaders=host&X-Amz-Signature=${SIG}`;
    const reading = readCredential({ signed: signed(query, {}) }, browser);
    expect(reading.status === 'present' && reading.credential.from).toBe('query');
  });

  it('a malformed AWS4 header is malformed with AWS’s IncompleteSignature, never a bearer fallback', () => {
    const bad = 'AWS4-HMAC-SHA256 Credential=nope';
    const reading = readCredential(
      { authorization: bad, cookie: 'fedgate_session=abc', signed: signed('', { authorization: bad }) },
      browser,
    );
    expect(reading).toMatchObject({ status: 'malformed', signature: { reason: 'IncompleteSignature' } });
  });

  it('without the signed request (other endpoints), an AWS4 header stays "not a session credential"', () => {
    expect(readCredential({ authorization }, api)).toEqual({ status: 'absent' });
  });

  it('a bearer request with an unrelated X-Amz- query parameter is still read as the bearer token', () => {
    const reading = readCredential(
      { authorization: 'Bearer abc.def.ghi', signed: signed('X-Amz-Meta=1', {}) },
      api,
    );
    expect(reading.status === 'present' && reading.credential.kind).toBe('session-token');
  });
});
