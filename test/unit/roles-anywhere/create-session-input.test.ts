import { describe, expect, it } from 'vitest';
import { FedgateError } from '../../../src/errors/index.js';
import { parseCreateSessionInput } from '../../../src/roles-anywhere/create-session-input.js';
import { awsUriEncode } from '../../../src/sigv4/index.js';

/* The CreateSession input: the three ARNs from the query string (AWS's signing helper) or the JSON body (the docs). */

const ARNS = {
  profileArn: 'arn:fedgate:rolesanywhere::000000000000:profile/workloads',
  roleArn: 'arn:fedgate:iam::000000000000:role/Deployer',
  trustAnchorArn: 'arn:fedgate:rolesanywhere::000000000000:trust-anchor/corp',
};

const query = (values: Record<string, string>): string =>
  Object.entries(values)
    .map(([name, value]) => `${awsUriEncode(name)}=${awsUriEncode(value)}`)
    .join('&');
const json = (value: unknown): Buffer => Buffer.from(JSON.stringify(value));

function refusal(run: () => unknown): FedgateError {
  try {
    run();
  } catch (error) {
    if (error instanceof FedgateError) return error;
    throw error;
  }
  throw new Error('not refused');
}

describe('parseCreateSessionInput', () => {
  it("arns-in-query: AWS's signing-helper shape, durationSeconds alone in the body", () => {
    expect(parseCreateSessionInput(json({ durationSeconds: 3600 }), query(ARNS))).toEqual({
      ...ARNS,
      durationSeconds: 3600,
    });
  });

  it('arns-in-query with an empty body', () => {
    expect(parseCreateSessionInput(Buffer.alloc(0), query(ARNS))).toEqual(ARNS);
  });

  it('arns-in-body: the CreateSession page shape', () => {
    expect(parseCreateSessionInput(json({ ...ARNS, roleSessionName: 'build-7' }), '')).toEqual({
      ...ARNS,
      roleSessionName: 'build-7',
    });
  });

  it('the same ARN in both places is accepted', () => {
    expect(parseCreateSessionInput(json(ARNS), query({ roleArn: ARNS.roleArn }))).toEqual(ARNS);
  });

  it('conflicting-arns: another role in the body than in the query is refused', () => {
    const error = refusal(() =>
      parseCreateSessionInput(json({ roleArn: 'arn:fedgate:iam::000000000000:role/Admin' }), query(ARNS)),
    );
    expect(error.code).toBe('ValidationError');
    expect(error.detail).toContain('roleArn');
    expect(error.detail).not.toContain('Admin');
  });

  it('missing-arn: a request without trustAnchorArn anywhere is refused', () => {
    const { trustAnchorArn: _left, ...two } = ARNS;
    expect(refusal(() => parseCreateSessionInput(Buffer.alloc(0), query(two))).detail).toContain(
      'trustAnchorArn',
    );
  });

  it('repeated-query-parameter: roleArn twice is refused rather than one of them chosen', () => {
    const twice = `${query(ARNS)}&${query({ roleArn: 'arn:fedgate:iam::000000000000:role/Admin' })}`;
    expect(refusal(() => parseCreateSessionInput(Buffer.alloc(0), twice)).code).toBe('ValidationError');
  });

  it('unknown-query-parameter: anything but the three ARNs is refused, without echoing its name', () => {
    const error = refusal(() => parseCreateSessionInput(Buffer.alloc(0), `${query(ARNS)}&x-marker=1`));
    expect(error.code).toBe('ValidationError');
    expect(error.detail).not.toContain('x-marker');
  });

  it('malformed-escape: a bad percent-escape in the query is refused', () => {
    const error = refusal(() =>
      parseCreateSessionInput(Buffer.alloc(0), `${query({ profileArn: ARNS.profileArn })}&roleArn=%zz`),
    );
    expect(error.code).toBe('ValidationError');
    expect(error.detail).toContain('at roleArn');
  });

  it('plus-is-a-plus: a query value keeps its + (SigV4 decoding, not form decoding)', () => {
    const roleArn = 'arn:fedgate:iam::000000000000:role/Build+Deploy';
    const raw = query({ ...ARNS, roleArn }).replace('%2B', '+');
    expect(parseCreateSessionInput(Buffer.alloc(0), raw).roleArn).toBe(roleArn);
  });
});
