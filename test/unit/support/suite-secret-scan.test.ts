import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { findSecrets } from '../../support/suite-secret-scan.js';

const key = new TextEncoder().encode('k'.repeat(32));

describe('the suite-wide secrets scan', () => {
  it('finds a session credential planted in a log line', async () => {
    const token = await new SignJWT({ sub: 'x' })
      .setProtectedHeader({ alg: 'HS256', typ: 'fedgate-session+jwt' })
      .sign(key);
    const findings = findSecrets('w.log', `{"level":30,"msg":"request","note":"${token}"}\n`);
    expect(findings).toEqual([{ file: 'w.log', line: 1, kind: 'JWT (fedgate-session+jwt)' }]);
  });

  it('finds a base64 SAML response, a PEM private key and an unredacted credential field', () => {
    const saml = Buffer.from('<samlp:Response ID="_1"></samlp:Response>').toString('base64');
    const text = [
      `{"SAMLResponse":"${saml}"}`,
      '-----BEGIN PRIVATE KEY-----',
      '{"body":{"SecretAccessKey":"abc"}}',
    ].join('\n');
    expect(findSecrets('a', text).map((f) => f.kind)).toEqual([
      'base64 SAML message',
      'credential field',
      'PEM private key',
      'credential field',
    ]);
  });

  it('lets redacted fields, ARNs and host names through', () => {
    const text = [
      '{"headers":{"authorization":"[redacted]"},"SessionToken":"[redacted]"}',
      '{"principal":"arn:fedgate:sts::000000000000:assumed-role/Developer/alice","host":"orders.example.com"}',
      '{"path":"/saml/corp.saml.idp/acs"}',
    ].join('\n');
    expect(findSecrets('b', text)).toEqual([]);
  });
});
