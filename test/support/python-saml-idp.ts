/**
 * SAML IdPs we did not write, driven as subprocesses: pysaml2 (`pysaml2-idp.py`) and Lasso (`lasso-idp.py`),
 * from the Debian packages python3-pysaml2 and python3-lasso, run by /usr/bin/python3 (a `python3` on PATH
 * may be another interpreter without them). Each IdP gets a temporary folder with a key and self-signed
 * certificate made by `openssl`, and one long-lived process (importing pysaml2 alone takes seconds) that answers
 * one AuthnRequest per call, reading the SP's metadata as the SP served it. Nothing goes over the network.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

/** The IdP implementations this module drives. */
export type PythonSamlIdpKind = 'pysaml2' | 'lasso';

const SCRIPTS: Readonly<Record<PythonSamlIdpKind, string>> = {
  pysaml2: fileURLToPath(new URL('./pysaml2-idp.py', import.meta.url)),
  lasso: fileURLToPath(new URL('./lasso-idp.py', import.meta.url)),
};
const PYTHON = '/usr/bin/python3';
const PASSWORD_PROTECTED_TRANSPORT = 'urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport';

/** Whom the IdP says signed in. */
export interface PythonSamlIdpPerson {
  /** Sent as an emailAddress NameID. */
  readonly nameId: string;
  /** Attribute name (as the IdP library names it locally) → values. */
  readonly attributes: Readonly<Record<string, readonly string[]>>;
  readonly authnContextClassRef?: string;
}

/** The IdP's answer: the HTTP-POST binding's form and where the IdP's page would post it. */
export interface PythonSamlIdpAnswer {
  readonly acsUrl: string;
  readonly form: { readonly SAMLResponse: string; readonly RelayState?: string };
}

/** One IdP with its own key pair. */
export interface PythonSamlIdp {
  readonly kind: PythonSamlIdpKind;
  readonly entityId: string;
  readonly ssoUrl: string;
  /** Its signing certificate (PEM), for the gateway's `idpCertificates`. */
  readonly certificatePem: string;
  /**
   * Reads the AuthnRequest the SP redirected the browser to (`redirectUrl`) and answers it for `person`;
   * `encryptAssertion` encrypts the signed assertion to the encryption certificate of the SP metadata.
   */
  answer(
    redirectUrl: string,
    spMetadataXml: string,
    person: PythonSamlIdpPerson,
    options?: { readonly encryptAssertion?: boolean },
  ): Promise<PythonSamlIdpAnswer>;
  /** Ends its process and removes its temporary folder. */
  close(): Promise<void>;
}

/** Makes the IdP's key and certificate and starts its process; call `close()` after the tests. */
export async function createPythonSamlIdp(
  kind: PythonSamlIdpKind,
  options: { readonly entityId: string; readonly ssoUrl: string },
): Promise<PythonSamlIdp> {
  const dir = await mkdtemp(join(tmpdir(), `fedgate-${kind}-idp-`));
  const keyFile = join(dir, 'idp-key.pem');
  const certFile = join(dir, 'idp-cert.pem');
  let certificatePem: string;
  try {
    await openssl([
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-sha256',
      '-days',
      '2',
      '-subj',
      `/CN=${kind}-idp`,
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ]);
    certificatePem = await readFile(certFile, 'utf8');
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  // One process answers every login (one JSON line each way); pysaml2 hands xmlsec1 temporary files, kept here.
  const child = spawn(PYTHON, [SCRIPTS[kind]], {
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', TMPDIR: dir },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.on('error', (error) => {
    stderr += String(error);
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();

  async function readLine(): Promise<unknown> {
    const line = await lines.next();
    if (line.done === true) throw new Error(`${kind} IdP exited (${String(child.exitCode)}): ${stderr}`);
    return JSON.parse(line.value) as unknown;
  }

  async function ask(request: Record<string, unknown>): Promise<PythonSamlIdpAnswer> {
    child.stdin.write(`${JSON.stringify(request)}\n`);
    const reply = (await readLine()) as PythonSamlIdpAnswer | { readonly error: string };
    if ('error' in reply) throw new Error(`${kind} IdP refused to answer: ${reply.error}`);
    return reply;
  }

  // The first line says the libraries are imported (seconds for pysaml2), so no test's time is spent on it.
  try {
    await readLine();
  } catch (error) {
    child.kill();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  let calls = 0;
  let queue: Promise<unknown> = Promise.resolve();
  return {
    kind,
    ...options,
    certificatePem,
    async answer(redirectUrl, spMetadataXml, person, answerOptions = {}) {
      const spMetadataFile = join(dir, `sp-metadata-${++calls}.xml`);
      await writeFile(spMetadataFile, spMetadataXml);
      const request = {
        ...options,
        keyFile,
        certFile,
        spMetadataFile,
        redirectUrl,
        nameId: person.nameId,
        attributes: person.attributes,
        authnContextClassRef: person.authnContextClassRef ?? PASSWORD_PROTECTED_TRANSPORT,
        encryptAssertion: answerOptions.encryptAssertion === true,
      };
      // Lines are answered in order: one question at a time.
      const answer = queue.then(() => ask(request));
      queue = answer.catch(() => undefined);
      return answer;
    },
    async close() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.stdin.end();
        await exited;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

function openssl(args: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('openssl', args, { timeout: 60_000 }, (error, _stdout, stderr) => {
      if (error === null) resolve();
      else reject(new Error(`openssl ${args[0] ?? ''} failed: ${error.message}\n${stderr}`));
    });
  });
}
