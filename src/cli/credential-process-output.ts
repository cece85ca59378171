/** Temporary credentials as AWS's `credential_process` contract wants them on stdout (Version 1). */
export interface CredentialProcessOutput {
  readonly Version: 1;
  readonly AccessKeyId: string;
  readonly SecretAccessKey: string;
  readonly SessionToken: string;
  /** ISO 8601 (`2026-11-22T12:00:00Z`). */
  readonly Expiration: string;
}

/**
 * The one renderer of `credential_process` JSON
 * (https://docs.aws.amazon.com/sdkref/latest/guide/feature-process-credentials.html), for every
 * `fedgate credentials` command.
 */
export function renderCredentialProcess(credentials: {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: string;
}): string {
  const output: CredentialProcessOutput = {
    Version: 1,
    AccessKeyId: credentials.accessKeyId,
    SecretAccessKey: credentials.secretAccessKey,
    SessionToken: credentials.sessionToken,
    Expiration: credentials.expiration,
  };
  return `${JSON.stringify(output)}\n`;
}
