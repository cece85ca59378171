import { parse as parseContentType } from 'content-type';
import type { Express, Request, Response } from 'express';
import { FedgateError, isFedgateError } from '../errors/index.js';
import { PostedSamlMessage, type SplitSamlJsonBody } from '../identity-providers/saml/index.js';
import { readCredential } from '../sessions/index.js';
import type { StsRequestContext, StsService } from '../sts/index.js';
import type { RouteMount } from './create-app.js';
import { malformedRequestBody, unsupportedRequestEncoding } from './problem.js';

/** The JSON route whose body (a base64 SAML Response, up to the JSON limit) is split off the event loop. */
const ASSUME_ROLE_WITH_SAML = '/sts/assume-role-with-saml';

/** What the STS API needs besides the service: a SAML verification worker to split that route's JSON body. */
export interface StsRoutesDeps {
  splitSamlJsonBody(body: Uint8Array): Promise<SplitSamlJsonBody | undefined>;
}

/** Mounts the STS API (SPEC 4.3): JSON in, JSON out; errors go to the app's problem+json handler. */
export function stsRoutes(sts: StsService, deps: StsRoutesDeps): RouteMount {
  const mount = (app: Express): void => {
    app.post('/sts/assume-role-with-web-identity', async (req, res) => {
      sendCredentials(res, await sts.assumeRoleWithWebIdentity(req.body, contextOf(req)));
    });
    app.post(ASSUME_ROLE_WITH_SAML, async (req, res) => {
      // The body's parsing is handed over unfinished, so that its refusals are audited as the service's own.
      sendCredentials(res, await sts.assumeRoleWithSaml(samlJsonInput(req, deps), contextOf(req)));
    });
    app.post('/sts/assume-role', async (req, res) => {
      const body = await withBearer(req, res, (token) => sts.assumeRole(token, req.body, contextOf(req)));
      sendCredentials(res, body);
    });
    app.get('/sts/caller-identity', async (req, res) => {
      const body = await withBearer(req, res, (token) => sts.callerIdentity(token));
      res.setHeader('Cache-Control', 'no-store');
      res.json(body);
    });
    app.post('/sts/decode-authorization-message', async (req, res) => {
      const body = await withBearer(req, res, (token) =>
        sts.decodeAuthorizationMessage(token, req.body, contextOf(req)),
      );
      res.setHeader('Cache-Control', 'no-store');
      res.json(body);
    });
    app.post('/sts/revoke', async (req, res) => {
      const body = await withBearer(req, res, (token) => sts.revoke(token, req.body, contextOf(req)));
      res.setHeader('Cache-Control', 'no-store');
      res.json(body);
    });
  };
  return Object.assign(mount, { rawJsonPaths: [ASSUME_ROLE_WITH_SAML] });
}

/**
 * The input of `POST /sts/assume-role-with-saml`. A JSON body arrives as its Buffer (RouteMount.rawJsonPaths) and
 * is decoded and parsed in a SAML verification worker, as the app's JSON parser would read it, but in UTF-8 only
 * (RFC 8259, section 8.1): `SAMLAssertion` comes back as bytes for the verification that follows. Any other body
 * (a form, none) is what the app's parsers made of it, for the schema to judge.
 */
async function samlJsonInput(req: Request, deps: StsRoutesDeps): Promise<unknown> {
  const body: unknown = req.body;
  if (!Buffer.isBuffer(body)) return body;
  if (jsonCharsetOf(req) !== 'utf-8') throw unsupportedRequestEncoding();
  const split = await deps.splitSamlJsonBody(body);
  if (split === undefined) throw malformedRequestBody();
  if (split.assertion === undefined) return split.fields;
  return { ...(split.fields as object), SAMLAssertion: PostedSamlMessage.fromBase64Bytes(split.assertion) };
}

/** The body's charset, lower-cased; UTF-8 when none is given or the header does not parse (as body-parser reads it). */
function jsonCharsetOf(req: Request): string {
  try {
    return (
      parseContentType(req.headers['content-type'] ?? '').parameters['charset']?.toLowerCase() ?? 'utf-8'
    );
  } catch {
    return 'utf-8';
  }
}

function contextOf(req: Request): StsRequestContext {
  return { sourceIp: req.ip, requestId: req.id };
}

/** Credentials must never be cached by a proxy or the browser. */
function sendCredentials(res: Response, body: object): void {
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Pragma', 'no-cache');
  res.json(body);
}

/**
 * Runs `use` with the `Authorization: Bearer` session credential. A missing, invalid, expired or revoked one is a
 * 401 with a Bearer challenge (RFC 6750), as every other fedgate endpoint answers.
 */
async function withBearer<T>(req: Request, res: Response, use: (token: string) => Promise<T>): Promise<T> {
  const reading = readCredential({ authorization: req.headers.authorization }, { cookie: false });
  if (reading.status !== 'present') {
    res.setHeader(
      'WWW-Authenticate',
      reading.status === 'absent' ? 'Bearer' : 'Bearer error="invalid_request"',
    );
    throw new FedgateError('InvalidToken', 'An Authorization: Bearer session credential is required');
  }
  try {
    return await use(reading.credential.token);
  } catch (error) {
    if (isFedgateError(error) && error.status === 401) {
      res.setHeader('WWW-Authenticate', 'Bearer error="invalid_token"');
    }
    throw error;
  }
}
