import { z } from 'zod';
import { FedgateError } from '../errors/index.js';
import { percentDecode } from '../sigv4/index.js';

/** What a CreateSession asks for, with AWS's field names, wherever in the request each came from. */
export interface CreateSessionInput {
  readonly profileArn: string;
  readonly roleArn: string;
  readonly trustAnchorArn: string;
  readonly durationSeconds?: number;
  /** `roleSessionName` (or the deprecated `sessionName`); only when the profile accepts one. */
  readonly roleSessionName?: string;
  readonly instanceProperties?: Readonly<Record<string, string>>;
}

/** The three ARNs, which AWS's API model binds to the query string and its documentation shows in the body. */
const ARN_FIELDS = ['profileArn', 'roleArn', 'trustAnchorArn'] as const;
type ArnField = (typeof ARN_FIELDS)[number];

const arn = z.string().min(1).max(2048).startsWith('arn:', 'must be an ARN');
const sessionName = z
  .string()
  .regex(/^[\w+=,.@-]{2,64}$/, 'must be 2 to 64 characters of letters, digits and _+=,.@-');

const bodySchema = z.strictObject({
  profileArn: arn.optional(),
  roleArn: arn.optional(),
  trustAnchorArn: arn.optional(),
  durationSeconds: z.number().int('must be a whole number of seconds').optional(),
  roleSessionName: sessionName.optional(),
  sessionName: sessionName.optional(),
  instanceProperties: z.record(z.string().max(128), z.string().max(256)).optional(),
});

const MAX_QUERY_PARAMETERS = 8;

/**
 * Reads a CreateSession (https://docs.aws.amazon.com/rolesanywhere/latest/userguide/authentication-create-session.html):
 * `profileArn`, `roleArn` and `trustAnchorArn` "as URI parameters or as JSON in the request body" — AWS's own
 * signing helper sends them in the query string, the documentation's examples in the body; a field given in both
 * places must be the same. `durationSeconds`, `roleSessionName` and `instanceProperties` are in the JSON body
 * (which may be empty when there are none). Unknown fields and query parameters are refused; messages name the
 * field, never echo its value. Throws ValidationError.
 */
export function parseCreateSessionInput(rawBody: Buffer, rawQuery: string): CreateSessionInput {
  const body = parseBody(rawBody);
  const query = parseQuery(rawQuery);
  const arns = {} as Record<ArnField, string>;
  for (const field of ARN_FIELDS) {
    const fromQuery = query.get(field);
    const fromBody = body[field];
    if (fromQuery !== undefined && fromBody !== undefined && fromQuery !== fromBody)
      throw invalid(field, 'is given in the query string and in the body with different values');
    const value = fromQuery ?? fromBody;
    if (value === undefined) throw invalid(field, 'is required (in the query string or the JSON body)');
    arns[field] = value;
  }
  if (body.instanceProperties !== undefined && Object.keys(body.instanceProperties).length > 50)
    throw new FedgateError('ValidationError', 'At most 50 instanceProperties');
  const name = body.roleSessionName ?? body.sessionName;
  return {
    ...arns,
    ...(body.durationSeconds === undefined ? {} : { durationSeconds: body.durationSeconds }),
    ...(name === undefined ? {} : { roleSessionName: name }),
    ...(body.instanceProperties === undefined ? {} : { instanceProperties: body.instanceProperties }),
  };
}

function parseBody(raw: Buffer): z.infer<typeof bodySchema> {
  if (raw.length === 0) return {};
  let value: unknown;
  try {
    value = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new FedgateError('ValidationError', 'The body must be a JSON object');
  }
  const parsed = bodySchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalid(issue?.path.join('.') ?? '', issue?.message ?? 'malformed');
  }
  return parsed.data;
}

/** The query's ARN parameters, percent-decoded (as SigV4 decodes them: `+` is a plus sign, not a space). */
function parseQuery(raw: string): ReadonlyMap<ArnField, string> {
  const values = new Map<ArnField, string>();
  if (raw === '') return values;
  const parts = raw.split('&').filter((part) => part !== '');
  if (parts.length > MAX_QUERY_PARAMETERS) throw invalid('', 'too many query parameters');
  for (const part of parts) {
    const eq = part.indexOf('=');
    const name = percentDecode(eq === -1 ? part : part.slice(0, eq));
    const value = percentDecode(eq === -1 ? '' : part.slice(eq + 1));
    if (!isArnField(name))
      throw invalid('', 'the only query parameters are profileArn, roleArn and trustAnchorArn');
    if (values.has(name)) throw invalid(name, 'is given more than once');
    const checked = arn.safeParse(value);
    if (!checked.success) throw invalid(name, checked.error.issues[0]?.message ?? 'must be an ARN');
    values.set(name, checked.data);
  }
  return values;
}

function isArnField(name: string | undefined): name is ArnField {
  return name !== undefined && (ARN_FIELDS as readonly string[]).includes(name);
}

function invalid(where: string, message: string): FedgateError {
  return new FedgateError(
    'ValidationError',
    `Invalid CreateSession request${where === '' ? '' : ` at ${where}`}: ${message}`,
  );
}
