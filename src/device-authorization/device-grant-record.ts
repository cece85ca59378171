import { createHash } from 'node:crypto';
import type { FederatedIdentity } from '../federation/federated-identity.js';

/** One device authorization (RFC 8628 §3.2) as the store keeps it; written once, never rewritten. */
export interface DeviceGrantRecord {
  readonly clientId: string;
  readonly userCode: string;
  /** Epoch milliseconds. */
  readonly createdAt: number;
  /** Epoch milliseconds: after it, polls get `expired_token` and the page refuses the code. */
  readonly expiresAt: number;
  /** Where the device asked from, shown on the verification page (RFC 8628 §5.4, remote phishing). */
  readonly sourceIp: string;
}

/** The person's answer on the verification page; written once (the first answer wins). */
export type DeviceDecision =
  | {
      readonly decision: 'approved';
      readonly identity: FederatedIdentity;
      readonly roleName: string;
      /** Epoch seconds the sign-in given to the device may not outlive (the browser's portal session's end). */
      readonly notAfter: number;
    }
  | { readonly decision: 'denied' };

/** When the device last polled, and the interval it must keep (raised by `slow_down`). */
export interface DevicePollRecord {
  /** Epoch milliseconds. */
  readonly at: number;
  readonly intervalSeconds: number;
}

const hash = (value: string): string => createHash('sha256').update(value).digest('base64url');

/**
 * Store keys of one device authorization, by the hash of its device code (a store dump yields no usable code);
 * the user code only points at it.
 */
export function deviceGrantKeys(id: string): DeviceGrantKeys {
  return { grant: `device:${id}`, decision: `device-decision:${id}`, poll: `device-poll:${id}` };
}

/** The keys of one device authorization. */
export interface DeviceGrantKeys {
  readonly grant: string;
  readonly decision: string;
  readonly poll: string;
}

/** The key pointing from a normalised user code to its device code's hash. */
export function userCodeKey(userCode: string): string {
  return `device-user:${hash(userCode)}`;
}

/** The id of a device authorization: the hash of its device code, which the user code's pointer stores. */
export function deviceGrantId(deviceCode: string): string {
  return hash(deviceCode);
}
