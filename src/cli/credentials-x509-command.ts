import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import {
  CreateSessionFailed,
  pemBlocks,
  requestSession,
  signCreateSession,
} from '../roles-anywhere/index.js';
import { ExitCode, type CommandHandler } from './cli-io.js';
import { renderCredentialProcess } from './credential-process-output.js';
import { parseCommandArgs } from './parse-command-args.js';

const HELP = `Usage: fedgate credentials x509 --certificate FILE --private-key FILE [--intermediates FILE]
                               --trust-anchor ARN --profile ARN --role ARN [--endpoint URL]
                               [--duration-seconds N] [--role-session-name NAME] [--region REGION]

Signs an IAM Roles Anywhere CreateSession request with the certificate's private key (AWS4-X509-RSA-SHA256 or
AWS4-X509-ECDSA-SHA256) and prints the session as credential_process JSON, like AWS's aws_signing_helper.
  --certificate FILE      the end-entity certificate (PEM)
  --private-key FILE      its private key (PEM: PKCS#8, PKCS#1 or SEC1; RSA or EC)
  --intermediates FILE    intermediate CA certificates (PEM bundle), sent as X-Amz-X509-Chain
  --endpoint URL          the gateway (default $FEDGATE_URL, then http://127.0.0.1:8080)

Example profile in ~/.aws/config:

  [profile workload]
  credential_process = fedgate credentials x509 --certificate /etc/pki/app.pem --private-key /etc/pki/app.key --trust-anchor arn:fedgate:rolesanywhere::000000000000:trust-anchor/corp --profile arn:fedgate:rolesanywhere::000000000000:profile/workloads --role arn:fedgate:iam::000000000000:role/Deployer --endpoint https://sso.example.com`;

interface CredentialsArgs {
  certificate?: string;
  'private-key'?: string;
  intermediates?: string;
  'trust-anchor'?: string;
  profile?: string;
  role?: string;
  endpoint?: string;
  'duration-seconds'?: string;
  'role-session-name'?: string;
  region?: string;
}

/** `fedgate credentials x509`: a certificate and its key in, credential_process JSON out. */
export const credentialsX509Command: CommandHandler = async (args, io) => {
  const parsed = parseCommandArgs<CredentialsArgs>(
    args,
    {
      certificate: { type: 'string' },
      'private-key': { type: 'string' },
      intermediates: { type: 'string' },
      'trust-anchor': { type: 'string' },
      profile: { type: 'string' },
      role: { type: 'string' },
      endpoint: { type: 'string' },
      'duration-seconds': { type: 'string' },
      'role-session-name': { type: 'string' },
      region: { type: 'string' },
    },
    HELP,
    io,
  );
  if (!parsed.ok) return parsed.exitCode;
  const values = parsed.values;
  const missing = (['certificate', 'private-key', 'trust-anchor', 'profile', 'role'] as const).filter(
    (name) => values[name] === undefined,
  );
  if (missing.length > 0) {
    io.stderr.write(`missing ${missing.map((name) => `--${name}`).join(', ')}\n\n${HELP}\n`);
    return ExitCode.Usage;
  }
  const duration = values['duration-seconds'];
  if (duration !== undefined && !/^\d{1,6}$/.test(duration)) {
    io.stderr.write(`--duration-seconds must be a number of seconds\n\n${HELP}\n`);
    return ExitCode.Usage;
  }
  const path = (file: string): string => resolve(io.cwd, file);
  let certificate: Buffer;
  let intermediates: Buffer[] = [];
  let privateKey: KeyObject;
  try {
    const [first] = pemBlocks(await readFile(path(values.certificate ?? ''), 'utf8'), 'CERTIFICATE');
    if (first === undefined) throw new Error('--certificate holds no PEM certificate');
    certificate = first;
    if (values.intermediates !== undefined)
      intermediates = pemBlocks(await readFile(path(values.intermediates), 'utf8'), 'CERTIFICATE');
    privateKey = createPrivateKey(await readFile(path(values['private-key'] ?? '')));
  } catch (error) {
    // Never the key's content: only which file could not be used.
    io.stderr.write(`fedgate credentials x509: ${describeReadError(error)}\n`);
    return ExitCode.Invalid;
  }
  // As AWS's signing helper sends them: the ARNs in the query string, the rest in the JSON body.
  const query = {
    profileArn: values.profile ?? '',
    roleArn: values.role ?? '',
    trustAnchorArn: values['trust-anchor'] ?? '',
  };
  const body = JSON.stringify({
    ...(duration === undefined ? {} : { durationSeconds: Number(duration) }),
    ...(values['role-session-name'] === undefined ? {} : { roleSessionName: values['role-session-name'] }),
  });
  try {
    const sign = (): ReturnType<typeof signCreateSession> =>
      signCreateSession({
        certificate,
        intermediates,
        privateKey,
        endpoint: values.endpoint ?? io.env.FEDGATE_URL ?? 'http://127.0.0.1:8080',
        query,
        body,
        ...(values.region === undefined ? {} : { region: values.region }),
      });
    let answer;
    try {
      answer = await requestSession(sign());
    } catch (error) {
      // The gateway knows a request by what was signed (X-Amz-Date has whole seconds): the same ask signed twice in
      // one second (credential_process is often run twice at once) is a replay, whatever the key. Sign again a
      // second later.
      if (!(error instanceof CreateSessionFailed) || error.code !== 'RequestReplayed') throw error;
      await new Promise((resolve) => setTimeout(resolve, 1100 - (Date.now() % 1000)));
      answer = await requestSession(sign());
    }
    const credentials = answer.credentialSet[0]?.credentials;
    if (credentials === undefined) throw new CreateSessionFailed('InvalidResponse', 0, 'no credentials');
    io.stdout.write(renderCredentialProcess(credentials));
    return ExitCode.Ok;
  } catch (error) {
    if (error instanceof CreateSessionFailed) {
      io.stderr.write(`fedgate credentials x509: ${error.code}: ${error.message}\n`);
    } else {
      io.stderr.write(
        `fedgate credentials x509: ${error instanceof Error ? error.message : String(error)}\n`,
      );
    }
    return ExitCode.Invalid;
  }
};

function describeReadError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code === 'string' && code.startsWith('E')) return `cannot read a file (${code})`;
  if (error instanceof Error && error.message.startsWith('--')) return error.message;
  return 'the certificate or private key is not valid PEM';
}
