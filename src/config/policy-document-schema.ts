import { z } from 'zod';
import { parseStrictJson } from './strict-json.js';

/**
 * A policy document: parsed JSON, validated by the policy engine, not here. A document written as a JSON string
 * goes through the policy engine's strict parser: a duplicate key (two "Effect"s) is an error, not the last one
 * winning. Every policy field of the configuration (roles, policies, guardrails, resources, profiles) uses it.
 */
export const policyDocumentSchema = z.preprocess(
  (value, ctx) => {
    if (typeof value !== 'string') return value;
    const parsed = parseStrictJson(value);
    if (parsed.ok) return parsed.value;
    ctx.addIssue({ code: 'custom', message: `invalid policy JSON: ${parsed.message}` });
    return z.NEVER;
  },
  z.record(z.string(), z.unknown(), { error: 'must be a policy document (a JSON object)' }),
);
