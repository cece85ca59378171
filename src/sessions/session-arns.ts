/** `arn:<partition>:iam::<account>:role/<roleName>` */
export function roleArnFor(partition: string, account: string, roleName: string): string {
  return `arn:${partition}:iam::${account}:role/${roleName}`;
}

/** `arn:<partition>:sts::<account>:assumed-role/<roleName>/<sessionName>` */
export function assumedRoleArnFor(
  partition: string,
  account: string,
  roleName: string,
  sessionName: string,
): string {
  return `arn:${partition}:sts::${account}:assumed-role/${roleName}/${sessionName}`;
}

/** The account field of an ARN (the fifth, colon-separated), or '' when it has none. */
export function accountOfArn(arn: string): string {
  return arn.split(':')[4] ?? '';
}
