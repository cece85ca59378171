/** Which role a policy plays; decides which elements it may contain and how it is evaluated. */
export type PolicyKind = 'identity' | 'boundary' | 'session' | 'guardrail' | 'resource' | 'trust';

/** One context value: single-valued (string, boolean, number) or multi-valued (string array). */
export type ContextValue = string | boolean | number | readonly string[];

/** Raw context as given by callers; keys case-insensitive. */
export type ContextInput = Readonly<Record<string, ContextValue | undefined>>;

/** Who is asking: what trust and resource policies match their `Principal` against. */
export interface PrincipalIdentity {
  readonly type: 'AWS' | 'Federated' | 'Service' | 'Anonymous';
  /** ARN for AWS (role-session ARN or role ARN); provider id/ARN for Federated; service name for Service. */
  readonly id: string;
  /** Other names that identify the same principal, e.g. the role ARN of a role session, a provider's ARN and issuer host. */
  readonly aliases?: readonly string[];
  readonly account?: string;
}

/** The outcome of a policy decision. */
export type DecisionKind = 'Allow' | 'ExplicitDeny' | 'ImplicitDeny';

/** A statement that decided: on ExplicitDeny the denying ones, on Allow the allowing ones. */
export interface MatchedStatement {
  readonly policy: string;
  readonly sid?: string;
  readonly effect: 'Allow' | 'Deny';
}

/** Which layer withheld its Allow on an ImplicitDeny. */
export type BlockingLayer = 'guardrail' | 'boundary' | 'session' | 'identity' | 'resource' | 'trust';

/** A decision with the statements that made it and the context keys the policies wanted but did not get. */
export interface Decision {
  readonly decision: DecisionKind;
  readonly matchedStatements: readonly MatchedStatement[];
  readonly missingContextKeys: readonly string[];
  /**
   * The layer that denied. On ExplicitDeny: the layer of the first denying statement (layers in the order
   * guardrail, boundary, session, identity, resource). On ImplicitDeny: the first layer that did not allow.
   */
  readonly blockedBy?: BlockingLayer;
}

/** An Access-Analyzer-style finding of `validatePolicy`. */
export interface PolicyFinding {
  readonly severity: 'error' | 'security-warning' | 'warning' | 'suggestion';
  readonly code: string;
  readonly path: string;
  readonly message: string;
}
