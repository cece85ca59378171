/** A compiled ARN glob (`*` any run of characters, `?` one character), case-sensitive like IAM resources. */
export interface ArnPattern {
  readonly source: string;
  matches(arn: string): boolean;
}

/** Compiles an ARN glob such as `arn:fedgate:orders:::order/*`. */
export function compileArnPattern(source: string): ArnPattern {
  if (!source.includes('*') && !source.includes('?')) {
    return { source, matches: (arn) => arn === source };
  }
  const body = source
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  const regex = new RegExp(`^${body}$`, 's');
  return { source, matches: (arn) => regex.test(arn) };
}
