import type { Express, NextFunction, Request, Response } from 'express';
import { FedgateError } from '../errors/index.js';
import { PostedSamlMessage } from '../identity-providers/saml/index.js';
import type { RoleSession, SignedRequestVerifier } from '../sessions/index.js';
import { EMPTY_PAYLOAD_SHA256, sha256Hex, UNSIGNED_PAYLOAD } from '../sigv4/index.js';
import type { StsRequestContext, StsService } from '../sts/index.js';
import type { RouteMount } from './create-app.js';
import { splitForm, type FormValue } from './form-fields.js';
import { rawBodyOf } from './raw-body.js';
import { signableRequestOf } from './signable-request.js';
import { parseStsQuery, type StsQueryAction } from './sts-query-params.js';
import { stsErrorShape, stsErrorXml, stsResponseXml, type XmlValue } from './sts-query-xml.js';

/** What the STS Query API needs from the composition root. */
export interface StsQueryRoutesOptions {
  readonly sts: StsService;
  /** Authenticates AWS4-HMAC-SHA256 signatures made with fedgate credentials. */
  readonly signatures: SignedRequestVerifier;
}

const QUERY_PATHS = new Set(['/', '/sts/']);
/** AssumeRoleWithSAML's Response stays form-encoded until a verification worker decodes it. */
const ENCODED_FIELDS: ReadonlySet<string> = new Set(['SAMLAssertion']);

/** True for a request the STS Query API answers (so its errors are rendered as AWS XML). */
export function isStsQueryRequest(req: Request): boolean {
  if (!QUERY_PATHS.has(req.path)) return false;
  if (req.method === 'POST')
    return (
      req.path === '/sts/' ||
      req.is('application/x-www-form-urlencoded') === 'application/x-www-form-urlencoded'
    );
  return req.method === 'GET' && typeof req.query['Action'] === 'string';
}

/**
 * The AWS STS Query API (https://docs.aws.amazon.com/STS/latest/APIReference/): `POST /` and `POST /sts/` with a
 * form body, or `GET` with the same parameters in the query, answered in AWS's XML. The actions run the same
 * StsService as the JSON API; AssumeRole, GetCallerIdentity and DecodeAuthorizationMessage are authenticated by
 * a SigV4 signature (service `sts`) made with a fedgate credential.
 */
export function stsQueryRoutes(options: StsQueryRoutesOptions): RouteMount {
  const handle = async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    if (!isStsQueryRequest(req)) {
      next();
      return;
    }
    const { action, input } = parseStsQuery(queryParameters(req));
    const assertion = input['SAMLAssertion'];
    if (assertion instanceof Uint8Array) input['SAMLAssertion'] = PostedSamlMessage.fromFormValue(assertion);
    res.locals['stsAction'] = action;
    const ctx: StsRequestContext = { sourceIp: req.ip, requestId: req.id };
    const result = await run(options, action, input, req, ctx);
    res.setHeader('Cache-Control', 'no-store');
    res.setHeader('Pragma', 'no-cache');
    res.setHeader('x-amzn-RequestId', req.id);
    res.type('text/xml').send(stsResponseXml(action, result, req.id));
  };
  const mount = (app: Express): void => {
    app.post('/', handle);
    app.post('/sts/', handle);
    app.get('/', handle);
    app.get('/sts/', handle);
  };
  // The form body is read once, by queryParameters (the signature covers its bytes).
  return Object.assign(mount, { rawFormPaths: [...QUERY_PATHS] });
}

/** Renders an error of a Query request as AWS's `<ErrorResponse>`; other requests are left to problem+json. */
export function stsQueryErrorRenderer(req: Request, res: Response, error: FedgateError): boolean {
  if (!isStsQueryRequest(req)) return false;
  const action = res.locals['stsAction'] as string | undefined;
  const shape = stsErrorShape(error, action);
  res.status(shape.status).type('text/xml').setHeader('Cache-Control', 'no-store');
  res.setHeader('x-amzn-RequestId', req.id);
  res.send(stsErrorXml(shape, error.detail, req.id));
  return true;
}

async function run(
  options: StsQueryRoutesOptions,
  action: StsQueryAction,
  input: Record<string, unknown>,
  req: Request,
  ctx: StsRequestContext,
): Promise<{ readonly [element: string]: XmlValue }> {
  const { sts } = options;
  switch (action) {
    case 'AssumeRoleWithWebIdentity':
      return { ...(await sts.assumeRoleWithWebIdentity(input, ctx)) } as unknown as Record<string, XmlValue>;
    case 'AssumeRoleWithSAML':
      return { ...(await sts.assumeRoleWithSaml(input, ctx)) } as unknown as Record<string, XmlValue>;
    case 'AssumeRole': {
      const caller = await signedCaller(options, req);
      return { ...(await sts.assumeRole(caller, input, ctx)) } as unknown as Record<string, XmlValue>;
    }
    case 'GetCallerIdentity': {
      const caller = await signedCaller(options, req);
      return { ...(await sts.callerIdentity(caller)) };
    }
    case 'DecodeAuthorizationMessage': {
      const caller = await signedCaller(options, req);
      return { ...(await sts.decodeAuthorizationMessage(caller, input, ctx)) };
    }
  }
}

/** The form body's parameters for POST (SAMLAssertion left encoded), the query's for GET. */
function queryParameters(req: Request): [string, FormValue][] {
  if (req.method === 'POST') return splitForm(rawBodyOf(req), { keepEncoded: ENCODED_FIELDS });
  const url = req.originalUrl;
  const q = url.indexOf('?');
  return [...new URLSearchParams(q === -1 ? '' : url.slice(q + 1))];
}

/**
 * The session that signed the request. The body is covered by the signature: its actual hash is the only
 * payload hash accepted, and an `x-amz-content-sha256` header that differs from it is refused. A presigned
 * GET (no body) may also have been signed with UNSIGNED-PAYLOAD, as botocore presigns.
 */
async function signedCaller(options: StsQueryRoutesOptions, req: Request): Promise<RoleSession> {
  const body = rawBodyOf(req);
  const bodyHash = body.length === 0 ? EMPTY_PAYLOAD_SHA256 : sha256Hex(body);
  const declared = req.headers['x-amz-content-sha256'];
  if (
    declared !== undefined &&
    declared !== bodyHash &&
    !(declared === UNSIGNED_PAYLOAD && body.length === 0)
  )
    throw new FedgateError(
      'SignatureDoesNotMatch',
      'The x-amz-content-sha256 header does not match the request body.',
    );
  const candidates = body.length === 0 ? [bodyHash, UNSIGNED_PAYLOAD] : [bodyHash];
  const result = await options.signatures.verify(signableRequestOf(req, req.originalUrl), { candidates });
  if (!result.ok) throw new FedgateError(result.reason, result.message);
  if (result.signature.scope.service !== 'sts')
    throw new FedgateError('SignatureDoesNotMatch', 'Credential should be scoped to correct service: sts.');
  return result.session;
}
