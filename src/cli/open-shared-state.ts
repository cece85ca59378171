import {
  ConfigError,
  formatConfigIssue,
  keyEncryptionKeyFrom,
  loadConfig,
  sessionServiceSettingsFor,
  signingKeyRingSettingsFor,
  storeOptionsFor,
  type GatewayConfig,
} from '../config/index.js';
import { createStore, type Store } from '../store/index.js';
import { SessionService, SigningKeyRing } from '../sessions/index.js';
import { FedgateError } from '../errors/index.js';
import { AuditLog, auditSinksFor } from '../audit/index.js';
import type { CliIo } from './cli-io.js';

/** The shared state an operator command acts on: the store the gateways use, its keys and sessions. */
export interface SharedState {
  readonly config: GatewayConfig;
  readonly store: Store;
  readonly keys: SigningKeyRing;
  readonly sessions: SessionService;
  readonly audit: AuditLog;
  close(): Promise<void>;
}

/**
 * Opens the store named by the configuration for an operator command. The embedded store lives inside one
 * gateway process, so a separate command cannot reach it: that is reported instead of silently acting on an
 * empty store of its own.
 */
export async function openSharedState(
  configPath: string,
  io: CliIo,
  /** The command, as the audit trail names who created a key (`fedgate sessions revoke` may create the first one). */
  command: string,
  embeddedStoreHint = 'use the HTTP API of that gateway (POST /sts/revoke, DELETE /sessions/:id), or configure a Redis store',
): Promise<SharedState | string> {
  let config: GatewayConfig;
  try {
    config = await loadConfig(configPath, { env: io.env });
  } catch (error) {
    if (error instanceof ConfigError) {
      return `${configPath} is invalid:\n${error.issues.map((issue) => `  ${formatConfigIssue(issue, io.cwd)}`).join('\n')}`;
    }
    throw error;
  }
  if (config.store.kind === 'memory') {
    return `this configuration uses the embedded store, which lives inside the running gateway: ${embeddedStoreHint}`;
  }
  let keyEncryptionKey: string | undefined;
  try {
    keyEncryptionKey = keyEncryptionKeyFrom(io.env, config.store);
  } catch (error) {
    if (error instanceof FedgateError) return error.detail;
    throw error;
  }
  const storeOptions = storeOptionsFor(config.store);
  const store = createStore(storeOptions);
  const { kind: _kind, ...redis } = storeOptions;
  // Operator actions are audited to the same sinks as the gateways' (stdout is this command's own output).
  const audit = new AuditLog(
    auditSinksFor(config.audit.sinks, { redis, keyPrefix: config.store.keyPrefix, stdout: io.stdout }),
  );
  try {
    const keys = await SigningKeyRing.open({
      store,
      ...signingKeyRingSettingsFor(config, keyEncryptionKey),
      onRotated: ({ kid }) =>
        audit.record({
          event: 'key.rotated',
          outcome: 'success',
          details: { kid, by: command },
        }),
    });
    const sessions = new SessionService({ store, keys, ...sessionServiceSettingsFor(config, undefined) });
    return {
      config,
      store,
      keys,
      sessions,
      audit,
      close: async () => {
        keys.close();
        await sessions.close();
        await audit.close();
        await store.close();
      },
    };
  } catch (error) {
    await audit.close();
    await store.close();
    if (error instanceof FedgateError)
      return error.code === 'StoreUnavailable' ? `${error.detail} (tried ${store.describe()})` : error.detail;
    throw error;
  }
}
