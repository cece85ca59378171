import { describe, expect, it } from 'vitest';
import {
  clientCredentialsOf,
  JWT_BEARER_ASSERTION_TYPE,
  OAuthError,
} from '../../../src/token-exchange/index.js';

const basic = (value: string) => `Basic ${Buffer.from(value).toString('base64')}`;

function errorOf(run: () => unknown): OAuthError {
  try {
    run();
  } catch (error) {
    if (error instanceof OAuthError) return error;
    throw error;
  }
  throw new Error('expected a refusal');
}

describe('clientCredentialsOf', () => {
  it('basic credentials are form-decoded (RFC 6749 §2.3.1)', () => {
    expect(clientCredentialsOf({}, basic('my%3Aapp:p%40ss+word'))).toEqual({
      method: 'client_secret_basic',
      clientId: 'my:app',
      secret: 'p@ss word',
    });
  });

  it('client_secret_post reads client_id and client_secret from the body', () => {
    expect(clientCredentialsOf({ client_id: 'a', client_secret: 'b' }, undefined)).toEqual({
      method: 'client_secret_post',
      clientId: 'a',
      secret: 'b',
    });
  });

  it('a client assertion needs the jwt-bearer assertion type (invalid_request otherwise)', () => {
    expect(errorOf(() => clientCredentialsOf({ client_assertion: 'x.y.z' }, undefined)).error).toBe(
      'invalid_request',
    );
    expect(
      clientCredentialsOf(
        { client_assertion: 'x.y.z', client_assertion_type: JWT_BEARER_ASSERTION_TYPE },
        undefined,
      ),
    ).toEqual({ method: 'private_key_jwt', assertion: 'x.y.z' });
  });

  it('two-methods: Basic plus a body secret is invalid_request', () => {
    expect(
      errorOf(() => clientCredentialsOf({ client_id: 'a', client_secret: 'b' }, basic('a:b'))).error,
    ).toBe('invalid_request');
  });

  it('no-credentials: invalid_client; a bare client_id is not authentication', () => {
    expect(errorOf(() => clientCredentialsOf({ client_id: 'a' }, undefined)).error).toBe('invalid_client');
  });

  it('malformed-basic: invalid_client', () => {
    expect(errorOf(() => clientCredentialsOf({}, basic('no-colon'))).error).toBe('invalid_client');
    expect(errorOf(() => clientCredentialsOf({}, 'Basic !!!')).error).toBe('invalid_client');
  });

  it('client_id in the body that differs from the Basic one is invalid_request', () => {
    expect(errorOf(() => clientCredentialsOf({ client_id: 'b' }, basic('a:s'))).error).toBe(
      'invalid_request',
    );
  });

  it('a Bearer Authorization header is not client authentication', () => {
    expect(errorOf(() => clientCredentialsOf({}, 'Bearer abc')).error).toBe('invalid_client');
  });
});
