import { isPolicyDocumentError } from './policy-document-error.js';
import { parsePolicy } from './compile-policy.js';
import type { PolicyFinding, PolicyKind } from './policy-types.js';

/** Access-Analyzer-style findings for a policy document (errors, security warnings, warnings, suggestions). */
export function validatePolicy(document: unknown, kind: PolicyKind): PolicyFinding[] {
  const findings: PolicyFinding[] = [];
  try {
    parsePolicy(document, { name: 'policy', kind });
  } catch (error) {
    if (!isPolicyDocumentError(error)) throw error;
    findings.push({ severity: 'error', code: error.rule, path: error.path, message: error.reason });
  }
  return findings;
}
