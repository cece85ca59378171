import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EXCHANGE_CLIENT,
  reservePort,
  startBedIdps,
  startFederationBed,
  type BedIdps,
  type FederationBed,
} from '../faults/federation-bed.js';
import { startRedisServer, type RedisServerHandle } from '../../support/redis-server.js';
import { runRealisticFlow, type FlowSecrets } from './realistic-flow.js';

/*
 * SPEC 8 and 6.5: no token, assertion, cookie, secret or key ever reaches a log line or an audit record. A whole
 * realistic flow runs against a gateway on Redis (so the key-encryption key is in use) with every log line
 * (level trace) and every audit record captured in memory; then each secret, and the parts of it that would
 * still be usable (a JWT's signature, a Basic header), is searched for in all of them.
 */

let redis: RedisServerHandle;
let idps: BedIdps;
let bed: FederationBed;
const logLines: string[] = [];
let secrets: FlowSecrets;

beforeAll(async () => {
  redis = await startRedisServer();
  const port = await reservePort();
  idps = await startBedIdps(port);
  bed = await startFederationBed({
    idps,
    port,
    redisUrl: redis.url,
    logDestination: { write: (line: string) => void logLines.push(line) },
  });
  secrets = await runRealisticFlow(bed);
  // Audit sinks and the request log write after the answer: let the last lines land.
  await new Promise((resolve) => setTimeout(resolve, 200));
});

afterAll(async () => {
  await bed?.close();
  await idps?.stop();
  await redis?.stop();
});

/** The needles for one secret: itself, and for a JWT its signature (the part that makes it usable). */
function needlesFor(kind: string, secret: string): string[] {
  const needles = [secret];
  const segments = secret.split('.');
  if (segments.length === 3 && (segments[2]?.length ?? 0) >= 16) needles.push(segments[2] ?? '');
  // A long opaque secret cut short in a log is still a leak: look for a slice of its middle too.
  if (segments.length !== 3 && secret.length >= 64) needles.push(secret.slice(16, 64));
  if (kind === 'clientSecrets')
    needles.push(Buffer.from(`${EXCHANGE_CLIENT.id}:${secret}`).toString('base64'));
  return needles.filter((needle) => needle.length >= 16);
}

function hits(haystacks: readonly string[]): string[] {
  const found: string[] = [];
  for (const [kind, values] of Object.entries(secrets)) {
    values.forEach((secret, index) => {
      for (const needle of needlesFor(kind, secret)) {
        const line = haystacks.findIndex((haystack) => haystack.includes(needle));
        if (line >= 0)
          found.push(`${kind}[${index}] in line ${line}: ${haystacks[line]?.slice(0, 200) ?? ''}`);
      }
    });
  }
  return found;
}

describe('a realistic flow leaves no secret in the logs or the audit trail', () => {
  it('captured a real trail: request logs and the security events of the flow', () => {
    expect(logLines.length).toBeGreaterThan(10);
    const events = new Set(bed.audit.map((record) => record.event));
    for (const event of [
      'login.succeeded',
      'role.assumed',
      'role.refused',
      'token.exchanged',
      'session.revoked',
      'authz.denied',
    ])
      expect(events, event).toContain(event);
    expect(Object.values(secrets).flat().length).toBeGreaterThan(15);
  });

  it('the search finds a planted secret, whole or by its signature alone (so the checks below can fail)', () => {
    const token = secrets['sessionTokens']?.[0] ?? '';
    const signature = token.split('.')[2] ?? '';
    expect(hits([`{"msg":"x","token":"${token}"}`])).not.toEqual([]);
    expect(hits([`{"msg":"x","sig":"${signature}"}`])).not.toEqual([]);
    expect(hits(['{"msg":"request","path":"/sts/assume-role"}'])).toEqual([]);
  });

  it('no issued token, secret access key, cookie, web-identity token, SAML response, client secret or KEK in any log line', () => {
    expect(hits(logLines)).toEqual([]);
  });

  it('no issued token, secret access key, cookie, web-identity token, SAML response, client secret or KEK in any audit record', () => {
    expect(hits(bed.audit.map((record) => JSON.stringify(record)))).toEqual([]);
  });
});
