/**
 * Vitest global setup: gives every worker a fresh capture folder, and after the whole run searches every log
 * line and audit record the suite's gateways wrote for a credential. The run fails on a hit.
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** A credential found in captured output: where, and what kind (never the value itself). */
export interface SecretFinding {
  readonly file: string;
  readonly line: number;
  readonly kind: string;
}

const JWT = /[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g;
const SAML_BASE64 = /PHNhbWxwOl|PHNhbWwyc|PD94bWwg|PHNhbWw6/; // "<samlp:", "<saml2p", "<?xml ", "<saml:" in base64
const PEM_PRIVATE = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;
const SECRET_FIELD =
  /"(SecretAccessKey|SessionToken|WebIdentityToken|SAMLResponse|SAMLAssertion|client_secret|subject_token|actor_token|client_assertion|access_token)"\s*:\s*"(?!\[redact)/;

/** Every credential-shaped value in `text` (a captured file's content). */
export function findSecrets(file: string, text: string): SecretFinding[] {
  const findings: SecretFinding[] = [];
  text.split('\n').forEach((line, index) => {
    const at = (kind: string) => findings.push({ file, line: index + 1, kind });
    for (const candidate of line.match(JWT) ?? []) {
      const header = decodeJson(candidate.split('.')[0] ?? '');
      if (header !== undefined && typeof header['alg'] === 'string')
        at(`JWT (${String(header['typ'] ?? 'no typ')})`);
    }
    if (SAML_BASE64.test(line)) at('base64 SAML message');
    if (PEM_PRIVATE.test(line)) at('PEM private key');
    if (SECRET_FIELD.test(line)) at('credential field');
  });
  return findings;
}

function decodeJson(segment: string): Record<string, unknown> | undefined {
  try {
    const value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8')) as unknown;
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

let captureFolder: string | undefined;

/** Vitest global setup: a fresh capture folder, inherited by every worker through the environment. */
export function setup(): void {
  captureFolder = mkdtempSync(join(tmpdir(), 'fedgate-suite-capture-'));
  process.env['FEDGATE_SUITE_CAPTURE_DIR'] = captureFolder;
}

/** Vitest global teardown: the scan. A run of files that start no gateway captures nothing, which is fine. */
export function teardown(): void {
  const dir = captureFolder;
  if (dir === undefined) return;
  const files = readdirSync(dir);
  let lines = 0;
  const findings: SecretFinding[] = [];
  for (const name of files) {
    const text = readFileSync(join(dir, name), 'utf8');
    lines += text.split('\n').length - 1;
    findings.push(...findSecrets(name, text));
  }
  rmSync(dir, { recursive: true, force: true });
  if (findings.length > 0) {
    const listed = findings.slice(0, 20).map((f) => `  ${f.file}:${f.line} ${f.kind}`);
    throw new Error(`credentials found in the suite's logs or audit records:\n${listed.join('\n')}`);
  }
  process.stdout.write(`secrets scan: ${lines} captured log and audit lines, no credential found\n`);
}
