import type { CompiledPolicy } from './compile-policy.js';

/** Every context key a policy's conditions and variables use (like IAM's GetContextKeysForCustomPolicy). */
export function referencedContextKeys(policy: CompiledPolicy): readonly string[] {
  return policy.referencedKeys;
}
