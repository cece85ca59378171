import { deflateRawSync } from 'node:zlib';
import { FedgateError } from '../errors/index.js';
import { parseJsonText, parsePolicy, policySize } from '../policy/index.js';
import type { SessionTags } from './session-tags.js';

/** SPEC 7.1: an inline session policy is at most 2,048 characters, whitespace not counted. */
export const MAX_SESSION_POLICY_CHARS = 2048;
/** AWS: at most 10 managed session policies. */
export const MAX_SESSION_POLICY_ARNS = 10;
/** The packed budget, in bytes, of the compressed session policies and of the session tags (each). */
const PACKED_POLICY_BUDGET = 2048;
const PACKED_TAG_BUDGET = 2048;

/** The session policies a request passes: inline `Policy` text and managed `PolicyArns`. */
export interface SessionPolicyRequest {
  readonly policy?: string | undefined;
  readonly policyArns?: readonly string[] | undefined;
}

/** Session policies resolved and validated: the documents the session keeps, in request order (inline first). */
export interface ResolvedSessionPolicies {
  readonly documents: readonly unknown[];
  /** Inline policy text without whitespace outside strings and the ARNs, for the packed size. */
  readonly packedText: string;
}

/**
 * Parses and validates session policies before anything is issued: the inline `Policy` must be a valid session
 * policy of at most 2,048 characters (whitespace not counted), `PolicyArns` at most 10 managed policies that the
 * catalog knows. Broken or unknown policies are MalformedPolicyDocument; too many or too long, ValidationError.
 */
export function resolveSessionPolicies(
  request: SessionPolicyRequest,
  managedPolicyDocument: (arn: string) => unknown,
): ResolvedSessionPolicies {
  const documents: unknown[] = [];
  let packedText = '';
  if (request.policy !== undefined) {
    let document: unknown;
    try {
      document = parseJsonText(request.policy);
    } catch (error) {
      if (error instanceof FedgateError) {
        throw new FedgateError('MalformedPolicyDocument', `Policy: ${error.detail}`);
      }
      throw new FedgateError('MalformedPolicyDocument', 'Policy is not valid JSON');
    }
    const size = policySize(request.policy);
    if (size > MAX_SESSION_POLICY_CHARS) {
      throw new FedgateError(
        'ValidationError',
        `Policy is ${size} characters (whitespace not counted); a session policy may have at most ${MAX_SESSION_POLICY_CHARS}`,
      );
    }
    compileSessionPolicy(document, 'Policy');
    documents.push(document);
    packedText += JSON.stringify(document);
  }
  const arns = request.policyArns ?? [];
  if (arns.length > MAX_SESSION_POLICY_ARNS) {
    throw new FedgateError('ValidationError', `At most ${MAX_SESSION_POLICY_ARNS} PolicyArns are allowed`);
  }
  for (const [index, arn] of arns.entries()) {
    const document = managedPolicyDocument(arn);
    if (document === undefined) {
      throw new FedgateError('MalformedPolicyDocument', `PolicyArns[${index}]: no managed policy ${arn}`);
    }
    compileSessionPolicy(document, `PolicyArns[${index}]`);
    documents.push(document);
    packedText += arn;
  }
  return { documents, packedText };
}

/** Compiles one session policy; its grammar errors name the request field they come from. */
function compileSessionPolicy(document: unknown, field: string): void {
  try {
    parsePolicy(document, { name: field, kind: 'session' });
  } catch (error) {
    if (error instanceof FedgateError && error.code === 'MalformedPolicyDocument') {
      throw new FedgateError('MalformedPolicyDocument', `${field}: ${error.detail}`, { cause: error });
    }
    throw error;
  }
}

/**
 * AWS's `PackedPolicySize`: how full, in percent, the packed session policies and session tags are. Policies count
 * compressed against a 2 KB budget, tags as JSON against another 2 KB (tags travel in the credential, which stays
 * under 4 KB). Above 100 the request is refused with PackedPolicyTooLarge.
 */
export function packedPolicySize(policies: ResolvedSessionPolicies, tags: SessionTags): number {
  const policyBytes =
    policies.packedText === '' ? 0 : deflateRawSync(Buffer.from(policies.packedText, 'utf8')).length;
  const tagBytes = Object.keys(tags).length === 0 ? 0 : Buffer.byteLength(JSON.stringify(tags), 'utf8');
  return Math.ceil((100 * policyBytes) / PACKED_POLICY_BUDGET + (100 * tagBytes) / PACKED_TAG_BUDGET);
}

/** Throws PackedPolicyTooLarge when the packed size is above 100 percent. */
export function assertPackedPolicySize(percent: number): number {
  if (percent > 100) {
    throw new FedgateError(
      'PackedPolicyTooLarge',
      `Session policies and session tags together are ${percent}% of the packed size limit`,
    );
  }
  return percent;
}
