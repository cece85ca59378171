import { z } from 'zod';
import { NAME_PATTERN, NAME_PATTERN_TEXT } from '../catalog/names.js';
import { FedgateError } from '../errors/index.js';
import { PostedSamlMessage } from '../identity-providers/saml/index.js';

/*
 * The STS API's request bodies, with AWS STS's field names (SPEC 4.3). Unknown fields are refused so that a
 * misspelt `DurationSecond` is an error rather than a silently ignored wish. Token and assertion values never
 * appear in error messages.
 */

const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;

const roleName = z.string().regex(NAME_PATTERN, `must be a role name (${NAME_PATTERN_TEXT})`);
const roleArn = z.string().min(20, 'must be a role ARN').max(2048).startsWith('arn:', 'must be a role ARN');
const sessionName = z
  .string()
  .regex(SESSION_NAME, 'must be 2 to 64 characters of letters, digits and _+=,.@-');
const sourceIdentity = z
  .string()
  .regex(SESSION_NAME, 'must be 2 to 64 characters of letters, digits and _+=,.@-');
const durationSeconds = z.preprocess(
  (value) => (typeof value === 'string' && /^\d{1,9}$/.test(value) ? Number(value) : value),
  z.number({ error: 'must be a whole number of seconds' }).int('must be a whole number of seconds'),
);
const policy = z.string().min(1, 'must be a policy document (JSON text)').max(65_536, 'is far too long');
const policyArns = z
  .array(z.strictObject({ arn: z.string().min(1).max(2048) }))
  .max(10, 'at most 10 managed session policies');
const tags = z
  .array(
    z.strictObject({
      Key: z.string().max(128, 'keys are at most 128 characters'),
      Value: z.string().max(256, 'values are at most 256 characters'),
    }),
  )
  .max(50, 'at most 50 session tags');
const transitiveTagKeys = z.array(z.string().max(128)).max(50, 'at most 50 transitive tag keys');

const roleChoice = {
  RoleArn: roleArn.optional(),
  RoleName: roleName.optional(),
};

/** `POST /sts/assume-role-with-web-identity`. */
export const assumeRoleWithWebIdentitySchema = z.strictObject({
  ...roleChoice,
  WebIdentityToken: z.string({ error: 'is required' }).min(1, 'is required').max(16_384, 'is too long'),
  RoleSessionName: sessionName.optional(),
  DurationSeconds: durationSeconds.optional(),
  Policy: policy.optional(),
  PolicyArns: policyArns.optional(),
});

/** `POST /sts/assume-role-with-saml`. */
export const assumeRoleWithSamlSchema = z.strictObject({
  ...roleChoice,
  PrincipalArn: z.string().min(20).max(2048).startsWith('arn:', 'must be a SAML provider ARN').optional(),
  ProviderId: roleName.optional(),
  // Base64 text from JSON, or from the Query API's form the value still form-encoded (decoded off the event loop).
  SAMLAssertion: z.union(
    [
      z.custom<PostedSamlMessage>((value) => value instanceof PostedSamlMessage),
      z.string({ error: 'is required' }).min(4, 'is required').max(1_000_000, 'is too long'),
    ],
    { error: (issue) => (issue.input === undefined ? 'is required' : 'must be base64 text') },
  ),
  DurationSeconds: durationSeconds.optional(),
  Policy: policy.optional(),
  PolicyArns: policyArns.optional(),
});

/** `POST /sts/assume-role` (role chaining). */
export const assumeRoleSchema = z.strictObject({
  ...roleChoice,
  RoleSessionName: sessionName,
  DurationSeconds: durationSeconds.optional(),
  Policy: policy.optional(),
  PolicyArns: policyArns.optional(),
  Tags: tags.optional(),
  TransitiveTagKeys: transitiveTagKeys.optional(),
  SourceIdentity: sourceIdentity.optional(),
});

/** `POST /sts/revoke`: nothing (the bearer's own session), or one of SessionId, RoleName (+ IssuedBefore), Subject. */
export const revokeSchema = z.strictObject({
  SessionId: z.string().min(1).max(256).optional(),
  RoleName: roleName.optional(),
  /** ISO 8601 date-time or epoch seconds; default now. */
  IssuedBefore: z.union([z.string().min(1).max(64), z.number()]).optional(),
  Subject: z.string().min(1).max(1024).optional(),
  /** With Subject: only that provider's sessions of the subject. */
  Provider: roleName.optional(),
});

/** DecodeAuthorizationMessage (`POST /sts/decode-authorization-message`). */
export const decodeAuthorizationMessageSchema = z.strictObject({
  EncodedMessage: z.string({ error: 'is required' }).min(1, 'is required').max(65_536, 'is too long'),
});

/** Parsed `assume-role-with-web-identity` input. */
export type AssumeRoleWithWebIdentityInput = z.infer<typeof assumeRoleWithWebIdentitySchema>;
/** Parsed `assume-role-with-saml` input. */
export type AssumeRoleWithSamlInput = z.infer<typeof assumeRoleWithSamlSchema>;
/** Parsed `assume-role` input. */
export type AssumeRoleInput = z.infer<typeof assumeRoleSchema>;
/** Parsed `revoke` input. */
export type RevokeInput = z.infer<typeof revokeSchema>;

/**
 * Validates an untrusted body against a schema; ValidationError naming the first field at fault
 * (`RoleSessionName: must be 2 to 64 characters…`) and never echoing the value.
 */
export function parseStsInput<T>(schema: z.ZodObject | z.ZodType<T>, body: unknown): T {
  const result = schema.safeParse(body ?? {}, { reportInput: true });
  if (result.success) return result.data as T;
  const issue = result.error.issues[0];
  // A path holds only the schema's own names and array indexes, except below an unknown key: the caller's text
  // (a JSON body sent as a form arrives as one key holding the whole JSON) is never echoed.
  const path =
    issue === undefined || issue.path.length === 0 || issue.code === 'unrecognized_keys'
      ? 'body'
      : issue.path.map(String).join('.');
  const known = schema instanceof z.ZodObject ? Object.keys(schema.shape).join(', ') : undefined;
  const message =
    issue?.code === 'unrecognized_keys'
      ? `unknown field${known === undefined ? '' : ` (allowed: ${known})`}`
      : issue?.code === 'invalid_type' && issue.input === undefined
        ? 'is required'
        : (issue?.message ?? 'is invalid');
  throw new FedgateError('ValidationError', `${path}: ${message}`);
}
