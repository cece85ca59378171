/**
 * A small PKI made with the Debian `openssl` binary at test time (no checked-in keys): a root CA, an
 * intermediate CA under it (which issues the workload certificates and a CRL), and a foreign root. `openssl ca`
 * is used for end entities so validity periods can lie in the past or the future and certificates can be
 * revoked into a real CRL.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** One issued certificate with its key, as PEM files and text. */
export interface IssuedCertificate {
  readonly certPath: string;
  readonly keyPath: string;
  readonly certPem: string;
  readonly keyPem: string;
  /** DER of the certificate. */
  readonly der: Buffer;
  /** Lowercase hex serial, no leading zeros. */
  readonly serialHex: string;
}

/** A certificate authority that can issue, revoke and publish a CRL. */
export interface TestCa extends IssuedCertificate {
  readonly name: string;
  readonly dir: string;
}

/** What an end-entity certificate looks like. */
export interface EndEntityOptions {
  readonly name: string;
  /** `/CN=app/OU=payments/O=Example` */
  readonly subject: string;
  readonly key?: 'rsa2048' | 'rsa1024' | 'ec-p256' | 'ec-p384';
  /** `DNS:app.example.internal,URI:spiffe://…` */
  readonly san?: string;
  readonly keyUsage?: string;
  /** Epoch ms; default one hour ago. */
  readonly notBefore?: number;
  /** Epoch ms; default in 30 days. */
  readonly notAfter?: number;
  /** More extension lines in openssl's syntax (`1.3.6.1.4.1.99999.1 = critical,ASN1:NULL`). */
  readonly extraExtensions?: readonly string[];
}

function openssl(args: readonly string[], cwd?: string): string {
  return execFileSync('openssl', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function genKey(path: string, kind: NonNullable<EndEntityOptions['key']>): void {
  if (kind.startsWith('rsa'))
    openssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', `rsa_keygen_bits:${kind.slice(3)}`, '-out', path]);
  else
    openssl([
      'genpkey',
      '-algorithm',
      'EC',
      '-pkeyopt',
      `ec_paramgen_curve:${kind === 'ec-p256' ? 'P-256' : 'P-384'}`,
      '-out',
      path,
    ]);
}

function asn1Time(ms: number): string {
  return new Date(ms)
    .toISOString()
    .replace(/[-:T]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
}

function issued(certPath: string, keyPath: string): IssuedCertificate {
  const certPem = readFileSync(certPath, 'utf8');
  const der = Buffer.from(
    certPem.replace(/-----(BEGIN|END) CERTIFICATE-----/g, '').replace(/\s+/g, ''),
    'base64',
  );
  const serial = openssl(['x509', '-in', certPath, '-noout', '-serial'])
    .trim()
    .replace(/^serial=/, '');
  return {
    certPath,
    keyPath,
    certPem,
    keyPem: readFileSync(keyPath, 'utf8'),
    der,
    serialHex: serial.toLowerCase().replace(/^0+(?=.)/, ''),
  };
}

function caConfig(dir: string): string {
  return `[ca]
default_ca = local
[local]
dir = ${dir}
database = ${dir}/index.txt
new_certs_dir = ${dir}/issued
serial = ${dir}/serial
crlnumber = ${dir}/crlnumber
certificate = ${dir}/ca.pem
private_key = ${dir}/ca.key
default_md = sha256
default_days = 30
default_crl_days = 7
policy = any
unique_subject = no
preserve = yes
copy_extensions = none
[any]
commonName = supplied
organizationalUnitName = optional
organizationName = optional
countryName = optional
[req]
distinguished_name = dn
[dn]
`;
}

function prepareCaDir(dir: string): void {
  mkdirSync(join(dir, 'issued'), { recursive: true });
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'serial'), `${randomHex(8)}\n`);
  writeFileSync(join(dir, 'crlnumber'), '1000\n');
  writeFileSync(join(dir, 'ca.cnf'), caConfig(dir));
}

function randomHex(bytes: number): string {
  // A leading 1 keeps the serial positive and its length fixed.
  return `1${openssl(['rand', '-hex', String(bytes)])
    .trim()
    .slice(1)}`;
}

/** A self-signed root CA. */
export function createRootCa(base: string, name: string, subject: string): TestCa {
  const dir = join(base, name);
  prepareCaDir(dir);
  genKey(join(dir, 'ca.key'), 'rsa2048');
  // `req -x509` takes its extensions from the config file.
  writeFileSync(
    join(dir, 'root.cnf'),
    `${caConfig(dir)}[v3]\nbasicConstraints = critical,CA:TRUE\nkeyUsage = critical,keyCertSign,cRLSign\nsubjectKeyIdentifier = hash\n`,
  );
  openssl([
    'req',
    '-x509',
    '-new',
    '-key',
    join(dir, 'ca.key'),
    '-subj',
    subject,
    '-days',
    '365',
    '-sha256',
    '-config',
    join(dir, 'root.cnf'),
    '-extensions',
    'v3',
    '-set_serial',
    `0x${randomHex(8)}`,
    '-out',
    join(dir, 'ca.pem'),
  ]);
  return { ...issued(join(dir, 'ca.pem'), join(dir, 'ca.key')), name, dir };
}

/**
 * An intermediate CA issued by `parent` (path length 0). With `isCa: false` it is an end-entity certificate
 * (CA:FALSE, digitalSignature only) that is nonetheless made to issue certificates, as an attacker would.
 */
export function createIntermediateCa(
  base: string,
  parent: TestCa,
  name: string,
  subject: string,
  options: {
    readonly isCa?: boolean;
    /** Epoch ms; default the next 90 days. */
    readonly notBefore?: number;
    readonly notAfter?: number;
  } = {},
): TestCa {
  const dir = join(base, name);
  prepareCaDir(dir);
  genKey(join(dir, 'ca.key'), 'rsa2048');
  openssl([
    'req',
    '-new',
    '-key',
    join(dir, 'ca.key'),
    '-subj',
    subject,
    '-out',
    join(dir, 'ca.csr'),
    '-config',
    join(dir, 'ca.cnf'),
  ]);
  writeFileSync(
    join(dir, 'ext.cnf'),
    options.isCa === false
      ? '[v3]\nbasicConstraints = critical,CA:FALSE\nkeyUsage = critical,digitalSignature\n'
      : '[v3]\nbasicConstraints = critical,CA:TRUE,pathlen:0\nkeyUsage = critical,keyCertSign,cRLSign,digitalSignature\n',
  );
  openssl([
    'ca',
    '-batch',
    '-config',
    join(parent.dir, 'ca.cnf'),
    '-in',
    join(dir, 'ca.csr'),
    '-out',
    join(dir, 'ca.pem'),
    '-extfile',
    join(dir, 'ext.cnf'),
    '-extensions',
    'v3',
    '-startdate',
    asn1Time(options.notBefore ?? Date.now() - 3_600_000),
    '-enddate',
    asn1Time(options.notAfter ?? Date.now() + 90 * 86_400_000),
    '-notext',
  ]);
  return { ...issued(join(dir, 'ca.pem'), join(dir, 'ca.key')), name, dir };
}

/** An end-entity certificate issued by `ca`. */
export function issueEndEntity(ca: TestCa, options: EndEntityOptions): IssuedCertificate {
  const base = join(ca.dir, 'ee', options.name);
  mkdirSync(base, { recursive: true });
  const keyPath = join(base, 'key.pem');
  const certPath = join(base, 'cert.pem');
  genKey(keyPath, options.key ?? 'rsa2048');
  openssl([
    'req',
    '-new',
    '-key',
    keyPath,
    '-subj',
    options.subject,
    '-out',
    join(base, 'req.csr'),
    '-config',
    join(ca.dir, 'ca.cnf'),
  ]);
  const ext = [
    '[ee]',
    'basicConstraints = critical,CA:FALSE',
    `keyUsage = critical,${options.keyUsage ?? 'digitalSignature'}`,
    'extendedKeyUsage = clientAuth',
    ...(options.san === undefined ? [] : [`subjectAltName = ${options.san}`]),
    ...(options.extraExtensions ?? []),
  ];
  writeFileSync(join(base, 'ext.cnf'), `${ext.join('\n')}\n`);
  const now = Date.now();
  openssl([
    'ca',
    '-batch',
    '-config',
    join(ca.dir, 'ca.cnf'),
    '-in',
    join(base, 'req.csr'),
    '-out',
    certPath,
    '-extfile',
    join(base, 'ext.cnf'),
    '-extensions',
    'ee',
    '-startdate',
    asn1Time(options.notBefore ?? now - 3_600_000),
    '-enddate',
    asn1Time(options.notAfter ?? now + 30 * 86_400_000),
    '-notext',
  ]);
  return issued(certPath, keyPath);
}

/** Marks a certificate revoked in the CA's database (publish with writeCrl). */
export function revoke(ca: TestCa, certificate: IssuedCertificate): void {
  openssl([
    'ca',
    '-config',
    join(ca.dir, 'ca.cnf'),
    '-revoke',
    certificate.certPath,
    '-crl_reason',
    'keyCompromise',
  ]);
}

/** Writes the CA's current CRL (PEM) to `path`. */
export function writeCrl(ca: TestCa, path: string): void {
  openssl(['ca', '-config', join(ca.dir, 'ca.cnf'), '-gencrl', '-out', path, '-crldays', '7']);
}
