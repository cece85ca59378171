export type {
  BlockingLayer,
  ContextInput,
  ContextValue,
  Decision,
  DecisionKind,
  MatchedStatement,
  PolicyFinding,
  PolicyKind,
  PrincipalIdentity,
} from './policy-types.js';
export { PolicyDocumentError, isPolicyDocumentError } from './policy-document-error.js';
export {
  parsePolicy,
  parsePolicyText,
  type CompiledPolicy,
  type NormalizedPolicyDocument,
  type ParsePolicyOptions,
  type PolicyVersion,
} from './compile-policy.js';
export { compileArnGlob } from './arn-matching.js';
export { authorize, type AuthorizationRequest, type PolicySet } from './authorize.js';
export { authorizeAssumeRole, evaluateTrustPolicy } from './evaluate-trust-policy.js';
export { EvaluationContext, prepareContext } from './evaluation-context.js';
export { referencedContextKeys } from './referenced-context-keys.js';
export { POLICY_SIZE_LIMITS, policySize } from './policy-size.js';
export { JsonNumber, parseJsonText } from './strict-json-parser.js';
export { validatePolicy, type ValidatePolicyOptions } from './validate-policy.js';
export {
  principalFromArn,
  simulate,
  type RolePolicyDocuments,
  type RoleResolver,
  type SimulationError,
  type SimulationResult,
} from './simulate.js';
