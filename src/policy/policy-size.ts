/** SPEC 7.1 size limits in characters, whitespace not counted. */
export const POLICY_SIZE_LIMITS = { managed: 6_144, inline: 10_240, session: 2_048 } as const;

/**
 * Size of a policy as IAM counts it: characters of its JSON with whitespace not counted. Pass the text to
 * measure exactly what the user wrote, or a document to measure its JSON form.
 */
export function policySize(document: unknown): number {
  const text = typeof document === 'string' ? document : (JSON.stringify(document) ?? '');
  let size = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) size++;
  }
  return size;
}
