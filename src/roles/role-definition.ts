import type { CompiledPolicy } from '../policy/index.js';

/** A configured role, its policies compiled: what every decision about the role reads. */
export interface RoleDefinition {
  readonly name: string;
  /** `arn:<partition>:iam::<account>:role/<name>` */
  readonly arn: string;
  readonly description?: string;
  readonly appUrl?: string;
  readonly maxSessionDurationSeconds: number;
  readonly trustPolicy: CompiledPolicy;
  readonly identityPolicies: readonly CompiledPolicy[];
  readonly permissionsBoundary?: CompiledPolicy;
  readonly tags: Readonly<Record<string, string>>;
}

/** What the configuration says about one resource ARN: merged tags and the resource policies that apply. */
export interface ResourceDescription {
  readonly tags: Readonly<Record<string, string>>;
  readonly policies: readonly CompiledPolicy[];
}
