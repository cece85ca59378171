export {
  CLI_CLIENT_ID,
  DEVICE_CODE_GRANT_TYPE,
  DEVICE_VERIFICATION_PATH,
  DeviceAuthorizationService,
  REFRESH_TOKEN_GRANT_TYPE,
} from './device-authorization-service.js';
export type {
  DeviceAnswerResult,
  DeviceAuthorizationOptions,
  DeviceAuthorizationResponse,
  DeviceRequestContext,
  DeviceSignIn,
  DeviceTokenResponse,
  PendingDevice,
  IssuedRoleCredentials,
  RoleCredentials,
} from './device-authorization-service.js';
export { displayUserCode, normaliseUserCode } from './user-code.js';
