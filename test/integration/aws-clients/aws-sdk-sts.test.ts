import {
  AssumeRoleCommand,
  AssumeRoleWithSAMLCommand,
  AssumeRoleWithWebIdentityCommand,
  DecodeAuthorizationMessageCommand,
  GetCallerIdentityCommand,
  STSClient,
  STSServiceException,
  type Credentials,
} from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLE, SAML_PROVIDER_ARN, startAwsClientsBed, type AwsClientsBed } from './aws-clients-bed.js';

/*
 * The AWS SDK for JavaScript v3 (@aws-sdk/client-sts), unchanged, pointed at a running gateway with
 * `endpoint`: the STS Query protocol, AWS's XML, SigV4 with fedgate credentials.
 */

let bed: AwsClientsBed;
beforeAll(async () => {
  bed = await startAwsClientsBed();
}, 60_000);
afterAll(async () => {
  await bed?.close();
});

function client(credentials?: Credentials): STSClient {
  return new STSClient({
    region: 'us-east-1',
    endpoint: bed.gateway.url,
    maxAttempts: 1,
    ...(credentials === undefined
      ? { credentials: { accessKeyId: 'unused', secretAccessKey: 'unused' } }
      : {
          credentials: {
            accessKeyId: credentials.AccessKeyId ?? '',
            secretAccessKey: credentials.SecretAccessKey ?? '',
            sessionToken: credentials.SessionToken ?? '',
          },
        }),
  });
}

async function ciCredentials(): Promise<Credentials> {
  const out = await client().send(
    new AssumeRoleWithWebIdentityCommand({
      RoleArn: `${ROLE}/CiDeploy`,
      RoleSessionName: 'build-7',
      WebIdentityToken: await bed.ciToken(),
    }),
  );
  if (out.Credentials === undefined) throw new Error('no credentials');
  return out.Credentials;
}

async function awsError(promise: Promise<unknown>): Promise<STSServiceException> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof STSServiceException) return error;
    throw error;
  }
  throw new Error('expected an STS error');
}

describe('@aws-sdk/client-sts against fedgate', () => {
  it('AssumeRoleWithWebIdentity with an OIDC token returns every field AWS returns', async () => {
    const out = await client().send(
      new AssumeRoleWithWebIdentityCommand({
        RoleArn: `${ROLE}/CiDeploy`,
        RoleSessionName: 'build-7',
        WebIdentityToken: await bed.ciToken(),
        DurationSeconds: 900,
      }),
    );
    expect(out.AssumedRoleUser?.Arn).toBe('arn:fedgate:sts::000000000000:assumed-role/CiDeploy/build-7');
    expect(out.AssumedRoleUser?.AssumedRoleId).toMatch(/^[A-Z0-9]+:build-7$/);
    expect(out.Credentials?.AccessKeyId).toMatch(/^FSIA[A-Z2-7]{16}$/);
    expect(out.Credentials?.SecretAccessKey).toHaveLength(40);
    expect(out.Credentials?.Expiration).toBeInstanceOf(Date);
    expect(out.Provider).toBe('ci');
    expect(out.SubjectFromWebIdentityToken).toBe('repo:acme/api:ref:refs/heads/main');
    expect(out.Audience).toBe('fedgate');
    expect(out.PackedPolicySize).toBeGreaterThan(0);
    expect(out.$metadata.requestId).toBeTruthy();
  });

  it('AssumeRoleWithSAML with a samlify-signed assertion', async () => {
    const out = await client().send(
      new AssumeRoleWithSAMLCommand({
        RoleArn: `${ROLE}/Developer`,
        PrincipalArn: SAML_PROVIDER_ARN,
        SAMLAssertion: await bed.samlResponse(),
      }),
    );
    expect(out.AssumedRoleUser?.Arn).toBe(
      'arn:fedgate:sts::000000000000:assumed-role/Developer/alice@example.com',
    );
    expect(out.Subject).toBe('alice@example.com');
    expect(out.Issuer).toBe('https://idp.saml.test/metadata');
    expect(out.NameQualifier).toBeTruthy();
    expect(out.Credentials?.SessionToken).toBeTruthy();
  });

  it('GetCallerIdentity signed with the returned credentials, then AssumeRole chained from them', async () => {
    const ci = await ciCredentials();
    const who = await client(ci).send(new GetCallerIdentityCommand({}));
    expect(who).toMatchObject({
      Arn: 'arn:fedgate:sts::000000000000:assumed-role/CiDeploy/build-7',
      Account: '000000000000',
    });
    expect(who.UserId).toMatch(/:build-7$/);

    const chained = await client(ci).send(
      new AssumeRoleCommand({
        RoleArn: `${ROLE}/Release`,
        RoleSessionName: 'release-1',
        Tags: [{ Key: 'ticket', Value: 'REL-1' }],
        DurationSeconds: 900,
      }),
    );
    expect(chained.AssumedRoleUser?.Arn).toBe('arn:fedgate:sts::000000000000:assumed-role/Release/release-1');
    const whoChained = await client(chained.Credentials).send(new GetCallerIdentityCommand({}));
    expect(whoChained.Arn).toBe('arn:fedgate:sts::000000000000:assumed-role/Release/release-1');
  });

  it('a refused AssumeRole is AccessDenied with an encoded message that DecodeAuthorizationMessage explains', async () => {
    const ci = await ciCredentials();
    const error = await awsError(
      client(ci).send(new AssumeRoleCommand({ RoleArn: `${ROLE}/Admin`, RoleSessionName: 'escalate' })),
    );
    expect(error.name).toBe('AccessDenied');
    expect(error.$metadata.httpStatusCode).toBe(403);
    expect(error.message).not.toMatch(/Sid|Statement|Deploy/);
    const encoded = /Encoded authorization failure message: (\S+)/.exec(error.message)?.[1];
    expect(encoded).toBeDefined();
    const decoded = await client(ci).send(new DecodeAuthorizationMessageCommand({ EncodedMessage: encoded }));
    const explanation = JSON.parse(decoded.DecodedMessage ?? '{}');
    expect(explanation).toMatchObject({
      allowed: false,
      explicitDeny: false,
      deniedBy: 'identity',
      reason: 'CallerNotAllowed',
      context: {
        principal: { arn: 'arn:fedgate:sts::000000000000:assumed-role/CiDeploy/build-7' },
        action: 'sts:AssumeRole',
        resource: `${ROLE}/Admin`,
      },
    });
  });

  it('DecodeAuthorizationMessage is refused to a caller not allowed sts:DecodeAuthorizationMessage', async () => {
    const ci = await ciCredentials();
    const denied = await awsError(
      client(ci).send(new AssumeRoleCommand({ RoleArn: `${ROLE}/Admin`, RoleSessionName: 'escalate' })),
    );
    const encoded = /Encoded authorization failure message: (\S+)/.exec(denied.message)?.[1];
    const release = await client(ci).send(
      new AssumeRoleCommand({ RoleArn: `${ROLE}/Release`, RoleSessionName: 'release-2' }),
    );
    const error = await awsError(
      client(release.Credentials).send(new DecodeAuthorizationMessageCommand({ EncodedMessage: encoded })),
    );
    expect(error.name).toBe('AccessDenied');
  });

  it('forged-authorization-message: a message this gateway did not encode is InvalidAuthorizationMessageException', async () => {
    const ci = await ciCredentials();
    const error = await awsError(
      client(ci).send(new DecodeAuthorizationMessageCommand({ EncodedMessage: 'fgam1.AAAA.BBBB.CCCC' })),
    );
    expect(error.name).toBe('InvalidAuthorizationMessageException');
    expect(error.$metadata.httpStatusCode).toBe(400);
  });

  it('tampered-secret: a signature made with a wrong secret is SignatureDoesNotMatch', async () => {
    const ci = await ciCredentials();
    const error = await awsError(
      client({ ...ci, SecretAccessKey: `${ci.SecretAccessKey?.slice(0, -1)}X` }).send(
        new GetCallerIdentityCommand({}),
      ),
    );
    expect(error.name).toBe('SignatureDoesNotMatch');
    expect(error.$metadata.httpStatusCode).toBe(403);
  });

  it('revoked-credential: after revocation the same credentials get InvalidClientTokenId', async () => {
    const ci = await ciCredentials();
    const session = await bed.gateway.gateway.sessions.verify(ci.SessionToken ?? '');
    await bed.gateway.gateway.sessions.revokeSession(session.id);
    const error = await awsError(client(ci).send(new GetCallerIdentityCommand({})));
    expect(error.name).toBe('InvalidClientTokenId');
    expect(error.$metadata.httpStatusCode).toBe(403);
  });

  it('unsigned GetCallerIdentity is MissingAuthenticationToken; a foreign access key id is InvalidClientTokenId', async () => {
    const ci = await ciCredentials();
    const other = await ciCredentials();
    const error = await awsError(
      client({ ...ci, AccessKeyId: other.AccessKeyId, SecretAccessKey: other.SecretAccessKey }).send(
        new GetCallerIdentityCommand({}),
      ),
    );
    expect(error.name).toBe('InvalidClientTokenId');
    const response = await fetch(bed.gateway.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=GetCallerIdentity&Version=2011-06-15',
    });
    expect(response.status).toBe(403);
    const xml = await response.text();
    expect(xml).toContain('<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">');
    expect(xml).toMatch(/<Error><Type>Sender<\/Type><Code>MissingAuthenticationToken<\/Code>/);
    expect(xml).toMatch(/<RequestId>[^<]+<\/RequestId><\/ErrorResponse>/);
  });
});
