import { generateKeyPairSync } from 'node:crypto';
import { SignJWT, UnsecuredJWT, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  AuditLog,
  MAX_AUDIT_STRING_LENGTH,
  memoryAuditSink,
  redactedMarker,
  scrubAuditRecord,
  secretKindOf,
  type AuditEvent,
  type AuditEventName,
  type AuditRecord,
} from '../../../src/audit/index.js';

const now = (): number => Date.UTC(2025, 0, 1);

async function signedJwt(): Promise<string> {
  const { privateKey } = await generateKeyPair('ES256');
  return new SignJWT({ sub: 'alice', role: 'arn:aws:iam::1:role/admin' })
    .setProtectedHeader({ alg: 'ES256', kid: 'k1', typ: 'fedgate-session+jwt' })
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(privateKey);
}

const SAML_RESPONSE_XML =
  '<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" ID="_1"><saml:Assertion/></samlp:Response>';

/**
 * Any event-shaped object, typed loosely on purpose: the scrubber must hold whatever a caller puts in, even
 * details the catalogue does not name for that event.
 */
type AnyEvent = { readonly event: AuditEventName; readonly outcome: string } & Readonly<
  Record<string, unknown>
>;

/** A scrubbed record, read field by field. */
type Scrubbed = Readonly<Record<string, unknown>> & { readonly details?: Readonly<Record<string, unknown>> };

function recorded(event: AnyEvent): Scrubbed {
  const sink = memoryAuditSink();
  new AuditLog([sink], now).record(event as unknown as AuditEvent);
  const [record] = sink.records;
  if (record === undefined) throw new Error('nothing recorded');
  return record as unknown as Scrubbed;
}

describe('audit scrubber: an audit record never carries a token, assertion or key', () => {
  it('redacts a signed JWT in details', async () => {
    const token = await signedJwt();
    const record = recorded({
      event: 'token.exchanged',
      outcome: 'success',
      details: { subjectToken: token },
    });
    expect(record.details?.['subjectToken']).toBe(redactedMarker('jwt'));
    expect(JSON.stringify(record)).not.toContain(token.split('.')[1]);
  });

  it('redacts an unsigned (alg none) JWT passed as the reason', () => {
    const token = new UnsecuredJWT({ sub: 'mallory' }).encode();
    expect(token.endsWith('.')).toBe(true);
    expect(recorded({ event: 'login.failed', outcome: 'failure', reason: token }).reason).toBe(
      redactedMarker('jwt'),
    );
  });

  it('redacts a JWT embedded in a longer string such as an Authorization header', async () => {
    const token = await signedJwt();
    expect(secretKindOf(`Bearer ${token}`)).toBe('jwt');
    expect(secretKindOf(`x${token}`)).toBe('jwt');
    expect(secretKindOf(`abeyey${token}`)).toBe('jwt');
  });

  it('redacts a JWE-shaped token (five segments)', () => {
    const header = Buffer.from('{"alg":"RSA-OAEP-256","enc":"A256GCM"}').toString('base64url');
    expect(secretKindOf(`${header}.a2V5.aXY.Y2lwaGVy.dGFn`)).toBe('jwt');
  });

  it('redacts a SAML assertion in clear and base64-encoded (SAMLResponse)', () => {
    const encoded = Buffer.from(SAML_RESPONSE_XML).toString('base64');
    expect(encoded.startsWith('PHNhbWxw')).toBe(true);
    expect(recorded({ event: 'login.failed', outcome: 'failure', subject: encoded }).subject).toBe(
      redactedMarker('saml'),
    );
    expect(
      recorded({ event: 'login.failed', outcome: 'failure', principal: SAML_RESPONSE_XML }).principal,
    ).toBe(redactedMarker('saml'));
    const withDeclaration = Buffer.from(`<?xml version="1.0"?>${SAML_RESPONSE_XML}`).toString('base64');
    expect(secretKindOf(withDeclaration)).toBe('saml');
  });

  it('redacts a PEM private key', () => {
    const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    expect(pem.length).toBeLessThan(MAX_AUDIT_STRING_LENGTH);
    expect(
      recorded({ event: 'key.rotated', outcome: 'success', details: { key: pem } }).details?.['key'],
    ).toBe(redactedMarker('pem'));
  });

  it('redacts any string longer than 512 characters', () => {
    const long = 'a'.repeat(MAX_AUDIT_STRING_LENGTH + 1);
    expect(
      recorded({ event: 'authz.denied', outcome: 'denied', details: { resource: long } }).details?.[
        'resource'
      ],
    ).toBe(redactedMarker('too-long'));
    expect(secretKindOf('a'.repeat(MAX_AUDIT_STRING_LENGTH))).toBeUndefined();
  });

  it('redacts secrets inside string arrays and drops keys that are secrets', async () => {
    const token = await signedJwt();
    const record = recorded({
      event: 'role.assumed',
      outcome: 'success',
      details: { audiences: ['api', token], [token]: 'x' },
    });
    expect(record.details?.['audiences']).toEqual(['api', redactedMarker('jwt')]);
    expect(Object.keys(record.details ?? {})).toEqual(['audiences']);
  });

  it('scrubs fields that are not part of the type, should a caller spread a request object in', async () => {
    const token = await signedJwt();
    const event: AnyEvent = {
      event: 'login.failed',
      outcome: 'failure',
      cookie: token,
      nested: { deeper: { token } },
    };
    const record = recorded(event);
    expect(JSON.stringify(record)).not.toContain(token);
    expect(record['cookie']).toBe(redactedMarker('jwt'));
  });

  it('keeps ordinary values: ARNs, hostnames, provider ids, SAML NameID formats, reason codes', () => {
    const event: AnyEvent = {
      event: 'role.assumed',
      outcome: 'success',
      principal: 'arn:aws:sts::123456789012:assumed-role/admin/alice@example.com',
      provider: 'eyeglasses.example.com',
      role: 'admin',
      sourceIp: '2001:db8::1',
      reason: 'ExplicitDeny',
      details: {
        nameIdFormat: 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress',
        kid: 'Ue7SYc6jYQ2Z1xKZk0ZlKg',
        tokenType: 'urn:ietf:params:oauth:token-type:jwt',
        count: 3,
        mfa: true,
      },
    };
    const record = scrubAuditRecord({ ...event, time: '2025-01-01T00:00:00.000Z' } as unknown as AuditRecord);
    expect(record).toEqual({ ...event, time: '2025-01-01T00:00:00.000Z' });
  });

  it('stamps the record with the injected clock', () => {
    expect(recorded({ event: 'config.reloaded', outcome: 'success' }).time).toBe('2025-01-01T00:00:00.000Z');
  });
});

describe('audit scrubber, property-based', () => {
  it('flags every compact JWS whatever its header and claims, alone or glued to text', async () => {
    const fc = await import('fast-check');
    const secret = new Uint8Array(32).fill(7);
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 16 }), { maxKeys: 4 }),
        fc.constantFrom('HS256', 'HS384', 'HS512'),
        fc.string({ maxLength: 12 }),
        async (claims, alg, prefix) => {
          const token = await new SignJWT(claims).setProtectedHeader({ alg }).sign(secret);
          expect(secretKindOf(`${prefix}${token}`)).toBe('jwt');
        },
      ),
      { numRuns: 100 },
    );
  });
});
