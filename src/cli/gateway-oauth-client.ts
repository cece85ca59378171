/** The gateway's OAuth endpoints as `fedgate login` and `fedgate credentials` call them. */
import {
  CLI_CLIENT_ID,
  DEVICE_CODE_GRANT_TYPE,
  REFRESH_TOKEN_GRANT_TYPE,
  type DeviceAuthorizationResponse,
  type DeviceTokenResponse,
} from '../device-authorization/index.js';
import { OAUTH_PATHS } from '../catalog/names.js';

/** An OAuth answer: the JSON of a 200, or the RFC 6749 §5.2 error. */
export type OAuthAnswer<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: string; readonly description: string; readonly status: number };

/** RFC 8628 §3.2. */
export type DeviceAuthorization = DeviceAuthorizationResponse;

/** The gateway's answer to the device and refresh grants. */
export type SignInTokens = DeviceTokenResponse;

async function postForm<T>(
  endpoint: string,
  path: string,
  params: Record<string, string>,
): Promise<OAuthAnswer<T>> {
  const response = await fetch(new URL(path, endpoint), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
    body: new URLSearchParams(params).toString(),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  // RFC 7009 §2.2: a revocation succeeds with an empty body.
  if (response.ok && text === '') return { ok: true, value: {} as T };
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    return {
      ok: false,
      error: 'invalid_response',
      description: `HTTP ${response.status}`,
      status: response.status,
    };
  }
  if (response.ok) return { ok: true, value: json as T };
  return {
    ok: false,
    error: typeof json.error === 'string' ? json.error : 'invalid_response',
    description:
      typeof json.error_description === 'string' ? json.error_description : `HTTP ${response.status}`,
    status: response.status,
  };
}

/** RFC 8628 §3.1: asks for a device code and a user code. */
export function requestDeviceAuthorization(endpoint: string): Promise<OAuthAnswer<DeviceAuthorization>> {
  return postForm(endpoint, OAUTH_PATHS.deviceAuthorization, { client_id: CLI_CLIENT_ID });
}

/** RFC 8628 §3.4: one poll of the token endpoint. */
export function pollDeviceToken(endpoint: string, deviceCode: string): Promise<OAuthAnswer<SignInTokens>> {
  return postForm(endpoint, OAUTH_PATHS.token, {
    grant_type: DEVICE_CODE_GRANT_TYPE,
    device_code: deviceCode,
    client_id: CLI_CLIENT_ID,
  });
}

/** RFC 6749 §6: fresh role credentials from the sign-in. */
export function refreshRoleCredentials(
  endpoint: string,
  refreshToken: string,
  role: string,
): Promise<OAuthAnswer<SignInTokens>> {
  return postForm(endpoint, OAUTH_PATHS.token, {
    grant_type: REFRESH_TOKEN_GRANT_TYPE,
    refresh_token: refreshToken,
    role,
    client_id: CLI_CLIENT_ID,
  });
}

/** RFC 7009: ends the sign-in and the role sessions minted from it (a 200 also when it had already ended). */
export function revokeSignIn(
  endpoint: string,
  refreshToken: string,
): Promise<OAuthAnswer<Record<string, never>>> {
  return postForm(endpoint, OAUTH_PATHS.revocation, {
    token: refreshToken,
    token_type_hint: 'refresh_token',
    client_id: CLI_CLIENT_ID,
  });
}
