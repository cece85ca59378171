import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { validateCertificatePath } from '../../../src/roles-anywhere/certificate-path.js';
import { parseCertificate, pemBlocks, type ParsedCertificate } from '../../../src/roles-anywhere/index.js';
import { createRootCa } from '../../support/x509-pki.js';

/*
 * The path search over the request's X-Amz-X509-Chain, which the sender chooses: intermediates that all issue each
 * other (one key, one name, openssl-made) make it try every ordering, and must not cost a signature check each.
 */

let root: ParsedCertificate;
let loops: ParsedCertificate[];
let endEntity: ParsedCertificate;

function openssl(args: readonly string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

function certificateAt(path: string): ParsedCertificate {
  const [der] = pemBlocks(readFileSync(path, 'utf8'), 'CERTIFICATE');
  if (der === undefined) throw new Error(`no certificate in ${path}`);
  return parseCertificate(der);
}

beforeAll(() => {
  const dir = mkdtempSync(join(tmpdir(), 'fedgate-path-'));
  root = certificateAt(createRootCa(dir, 'root', '/CN=Path Test Root').certPath);
  const ec = ['-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256'];
  openssl(['genpkey', ...ec, '-out', 'loop.key'], dir);
  loops = [1, 2, 3, 4, 5].map((serial) => {
    openssl(
      [
        'req',
        '-x509',
        '-new',
        '-key',
        'loop.key',
        '-subj',
        '/CN=Loop CA',
        '-days',
        '1',
        '-set_serial',
        String(serial),
        '-addext',
        'basicConstraints=critical,CA:TRUE',
        '-out',
        `loop-${serial}.pem`,
      ],
      dir,
    );
    return certificateAt(join(dir, `loop-${serial}.pem`));
  });
  openssl(['genpkey', ...ec, '-out', 'ee.key'], dir);
  openssl(['req', '-new', '-key', 'ee.key', '-subj', '/CN=ee', '-out', 'ee.csr'], dir);
  openssl(
    [
      'x509',
      '-req',
      '-in',
      'ee.csr',
      '-CA',
      'loop-1.pem',
      '-CAkey',
      'loop.key',
      '-set_serial',
      '99',
      '-days',
      '1',
      '-out',
      'ee.pem',
    ],
    dir,
  );
  endEntity = certificateAt(join(dir, 'ee.pem'));
}, 60_000);

afterEach(() => {
  vi.restoreAllMocks();
});

describe('certificate path search', () => {
  it('path-search-amplification: five intermediates that issue each other cost one check per pair, not per ordering', () => {
    const verify = vi.spyOn(X509Certificate.prototype, 'verify');
    const result = validateCertificatePath(endEntity, loops, { certificates: [root], crls: [] }, Date.now());
    expect(result).toEqual({ ok: false, reason: 'NoChainToTrustAnchor' });
    // Five (end entity, loop) pairs and twenty (loop, other loop) pairs; every ordering would be 325 checks.
    expect(verify.mock.calls.length).toBeLessThanOrEqual(25);
    expect(verify.mock.calls.length).toBeGreaterThan(0);
  });

  it('duplicate-intermediates: the same certificate sent five times is searched once', () => {
    const verify = vi.spyOn(X509Certificate.prototype, 'verify');
    const [first] = loops as [ParsedCertificate];
    validateCertificatePath(
      endEntity,
      [first, first, first, first, first],
      { certificates: [root], crls: [] },
      Date.now(),
    );
    expect(verify.mock.calls.length).toBeLessThanOrEqual(1);
  });
});
