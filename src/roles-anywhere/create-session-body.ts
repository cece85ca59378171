import { z } from 'zod';
import { FedgateError } from '../errors/index.js';

/** The CreateSession body, with AWS's field names. */
export interface CreateSessionBody {
  readonly profileArn: string;
  readonly roleArn: string;
  readonly trustAnchorArn: string;
  readonly durationSeconds?: number;
  /** `roleSessionName` (or the deprecated `sessionName`); only when the profile accepts one. */
  readonly roleSessionName?: string;
  readonly instanceProperties?: Readonly<Record<string, string>>;
}

const arn = z.string().min(1).max(2048).startsWith('arn:', 'must be an ARN');
const sessionName = z
  .string()
  .regex(/^[\w+=,.@-]{2,64}$/, 'must be 2 to 64 characters of letters, digits and _+=,.@-');

const bodySchema = z.strictObject({
  profileArn: arn,
  roleArn: arn,
  trustAnchorArn: arn,
  durationSeconds: z.number().int('must be a whole number of seconds').optional(),
  roleSessionName: sessionName.optional(),
  sessionName: sessionName.optional(),
  instanceProperties: z.record(z.string().max(128), z.string().max(256)).optional(),
});

/**
 * Parses the JSON body (https://docs.aws.amazon.com/rolesanywhere/latest/userguide/authentication-create-session.html):
 * `profileArn`, `roleArn`, `trustAnchorArn` required; `durationSeconds`, `roleSessionName` optional. Unknown
 * fields are refused; messages name the field, never echo its value.
 */
export function parseCreateSessionBody(raw: Buffer): CreateSessionBody {
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new FedgateError('ValidationError', 'The body must be a JSON object');
  }
  const parsed = bodySchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join('.') ?? '';
    throw new FedgateError(
      'ValidationError',
      `Invalid CreateSession request${where === '' ? '' : ` at ${where}`}: ${issue?.message ?? 'malformed'}`,
    );
  }
  const body = parsed.data;
  if (body.instanceProperties !== undefined && Object.keys(body.instanceProperties).length > 50)
    throw new FedgateError('ValidationError', 'At most 50 instanceProperties');
  const name = body.roleSessionName ?? body.sessionName;
  return {
    profileArn: body.profileArn,
    roleArn: body.roleArn,
    trustAnchorArn: body.trustAnchorArn,
    ...(body.durationSeconds === undefined ? {} : { durationSeconds: body.durationSeconds }),
    ...(name === undefined ? {} : { roleSessionName: name }),
    ...(body.instanceProperties === undefined ? {} : { instanceProperties: body.instanceProperties }),
  };
}
