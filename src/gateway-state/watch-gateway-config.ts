import type { AuditEvent } from '../audit/index.js';
import { watchConfig, type ConfigWatch } from '../config/index.js';
import { FedgateError } from '../errors/index.js';
import { errorForLog, type Logger } from '../observability/logger.js';
import type { LiveGatewayState } from './live-gateway-state.js';

/** Where a watched configuration reports what happened to each change. */
export interface WatchGatewayConfigOptions {
  /** Variables for `${VAR}` substitution. */
  readonly env: NodeJS.ProcessEnv;
  readonly logger: Logger;
  readonly audit: { record(event: AuditEvent): void };
}

/**
 * Applies every valid change of the configuration file to the live state (`config.reloaded`); a change that is
 * invalid, or that does not compile, leaves the last good state in force (`config.rejected`).
 */
export function watchGatewayConfig(
  live: LiveGatewayState,
  configPath: string,
  options: WatchGatewayConfigOptions,
): ConfigWatch {
  const { logger, audit } = options;
  return watchConfig(configPath, {
    env: options.env,
    onChange: (next) => {
      live.apply(next).then(
        () => {
          logger.info({ roles: next.roles.length, routes: next.routes.length }, 'configuration reloaded');
          audit.record({ event: 'config.reloaded', outcome: 'success' });
        },
        (error: unknown) => {
          logger.error({ err: errorForLog(error) }, 'configuration change not applied');
          audit.record({
            event: 'config.rejected',
            outcome: 'failure',
            reason: error instanceof FedgateError ? error.code : 'InternalError',
          });
        },
      );
    },
    onError: (error) => {
      logger.error(
        { issues: error.issues },
        'configuration change rejected; the last good configuration stays',
      );
      audit.record({ event: 'config.rejected', outcome: 'failure', reason: 'InvalidConfiguration' });
    },
  });
}
