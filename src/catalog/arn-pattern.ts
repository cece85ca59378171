import { compileArnGlob } from '../policy/index.js';

/**
 * A compiled ARN glob matched exactly as a policy `Resource` entry is (one matcher for both, issue 13): the
 * partition, service, region and account parts each on their own and case-insensitively, `*` never crossing
 * their colons; the resource part case-sensitive, its `*` spanning `/` and `:`.
 */
export interface ArnPattern {
  readonly source: string;
  matches(arn: string): boolean;
}

/** Compiles an ARN glob such as `arn:fedgate:orders:::order/*` (throws PolicyDocumentError when not an ARN). */
export function compileArnPattern(source: string): ArnPattern {
  return compileArnGlob(source);
}
