import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Writable } from 'node:stream';
import {
  keyEncryptionKeyFrom,
  loadConfig,
  sessionServiceSettingsFor,
  signingKeyRingSettingsFor,
  storeOptionsFor,
} from './config/index.js';
import { createStore, waitForStore, type Store } from './store/index.js';
import { randomBytes } from 'node:crypto';
import { KeyEncryptionKey, SessionService, SignedRequestVerifier, SigningKeyRing } from './sessions/index.js';
import { createAuthorizer } from './authorizer/index.js';
import { AuditLog, auditSinksFor, type AuditSink } from './audit/index.js';
import { createRateLimits, rateLimitMount } from './http/rate-limit.js';
import {
  createAuthzHandler,
  createHttpApp,
  listen,
  listenerPrototypes,
  startingHandler,
  type RouteMount,
  type RunningServer,
} from './http/index.js';
import { discoveryRoutes } from './http/discovery-routes.js';
import { stsRoutes } from './http/sts-routes.js';
import { sharedSamlVerifierPool } from './identity-providers/saml/index.js';
import { portalRoutes } from './http/portal-routes.js';
import { AuthorizationMessageCodec, StsService } from './sts/index.js';
import { scopeAllowListOf } from './sigv4/index.js';
import { stsQueryErrorRenderer, stsQueryRoutes } from './http/sts-query-routes.js';
import {
  PortalSessionStore,
  createPortalFlow,
  httpErrorPage,
  portalBrand,
  renderPortalPage,
  stsPortalFederation,
} from './portal/index.js';
import { TokenExchangeService, TokenManagementService } from './token-exchange/index.js';
import { tokenRoutes } from './http/token-routes.js';
import { adminRoutes } from './http/admin-routes.js';
import { createLogger, errorForLog, type Logger } from './observability/logger.js';
import { GatewayMetrics } from './observability/metrics.js';
import { RolesAnywhereService, type TrustAnchorRegistryOptions } from './roles-anywhere/index.js';
import { rolesAnywhereRoutes } from './http/roles-anywhere-routes.js';
import {
  AccessReports,
  BufferedActivityRecorder,
  activityAuditSink,
  type ActivityRecorder,
} from './access-analysis/index.js';
import { accessRoutes } from './http/access-routes.js';
import { simulatorRoutes } from './http/simulator-routes.js';
import { DeviceAuthorizationService } from './device-authorization/index.js';
import { LiveGatewayState, watchGatewayConfig, type GatewayState } from './gateway-state/index.js';

/** How the composition root is started: by `fedgate serve`, by tests, by the demo. */
export interface StartGatewayOptions {
  readonly configPath: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly logger?: Logger;
  /** Extra audit sinks (tests read events from a memory sink). */
  readonly auditSinks?: readonly AuditSink[];
  /** Where `stdout` audit sinks write (default process.stdout; tests capture it with the log). */
  readonly stdout?: Writable;
  /** Epoch milliseconds; injected by tests. */
  readonly now?: () => number;
  /** Watch the config file and apply valid changes (default true). */
  readonly watch?: boolean;
  /** Override the listen port (0 picks a free one): tests start several gateways. */
  readonly port?: number;
  readonly authorizerPort?: number;
}

/** A running gateway: its URLs, its parts (for tests and the demo) and a graceful close. */
export interface RunningGateway {
  readonly url: string;
  readonly authorizerUrl: string | undefined;
  readonly store: Store;
  readonly sessions: SessionService;
  readonly keys: SigningKeyRing;
  readonly metrics: GatewayMetrics;
  /** The activity record's writer (issue 15). */
  readonly activity: ActivityRecorder;
  state(): GatewayState;
  close(): Promise<void>;
}

/** Composition root: config → store → keys and sessions → policies and providers → HTTP listeners. */
export async function startGateway(options: StartGatewayOptions): Promise<RunningGateway> {
  const env = options.env ?? process.env;
  const now = options.now ?? Date.now;
  const config = await loadConfig(options.configPath, { env });
  const keyEncryptionKey = keyEncryptionKeyFrom(env, config.store);
  const logger = options.logger ?? createLogger({ level: config.log.level });
  const metrics = new GatewayMetrics();
  const storeOptions = storeOptionsFor(config.store);
  const { kind: _kind, ...redisOptions } = storeOptions;
  // STS, the portal and token exchange feed the activity record through their audit events.
  let activitySink: AuditSink | undefined;
  const audit = new AuditLog(
    [
      ...auditSinksFor(config.audit.sinks, {
        ...(storeOptions.kind === 'redis' ? { redis: redisOptions } : {}),
        keyPrefix: config.store.keyPrefix,
        ...(options.stdout === undefined ? {} : { stdout: options.stdout }),
        onError: (error) => logger.error({ err: errorForLog(error) }, 'audit sink failed'),
      }),
      ...(options.auditSinks ?? []),
      { write: (record) => activitySink?.write(record) },
      // Token exchanges are counted from their audit events, so the exchange pipeline needs no metrics port.
      {
        write: (record) => {
          if (record.event === 'token.exchanged') metrics.tokenExchanges.inc({ outcome: 'success' });
          else if (record.event === 'token.refused') metrics.tokenExchanges.inc({ outcome: 'refused' });
        },
      },
    ],
    now,
    { refusalWindowMs: config.audit.refusalWindow * 1000 },
  );

  const store = createStore(storeOptions);
  // Run newest first; the audit log closes last, so that closing parts can still record.
  const closers: (() => Promise<void> | void)[] = [() => store.close(), () => audit.close()];
  const activity = new BufferedActivityRecorder({
    store,
    retentionSeconds: config.accessAnalysis.retention,
    flushIntervalSeconds: config.accessAnalysis.flushInterval,
    maxActionsPerRole: config.accessAnalysis.maxActionsPerRole,
    maxResourcesPerAction: config.accessAnalysis.maxResourcesPerAction,
    audit,
    onError: (error) => logger.warn({ err: errorForLog(error) }, 'activity not written yet; kept in memory'),
  });
  // Flushed after the listeners have closed (so in-flight decisions count) and before the store closes.
  closers.unshift(() => activity.close());
  const limits = createRateLimits(config.rateLimits, storeOptions, (limit) =>
    metrics.rateLimitRejections.inc({ limit }),
  );
  closers.unshift(() => limits.close());
  try {
    // Listening at once: while the store is not reachable yet, /readyz answers 503 and the rest 503 too.
    let serve: (req: IncomingMessage, res: ServerResponse) => void = startingHandler;
    // Built on the Express app's prototypes once it exists (listenerPrototypes says why).
    const prototypes = listenerPrototypes();
    const server = await listen(
      (req, res) => serve(req, res),
      config.listen.host,
      options.port ?? config.listen.port,
      prototypes,
    );
    // Every listener (this one, and `authorizer.listen` once started) drains at once: stop accepting,
    // `Connection: close`, idle connections closed; the parts behind them close only once they are drained.
    const listeners: RunningServer[] = [server];
    const closeServer = async (): Promise<void> => {
      await Promise.all(listeners.map((listener) => listener.close()));
    };
    closers.unshift(closeServer);
    const storeAddress = store.describe();
    logger.info({ url: server.url, store: storeAddress }, 'listening; connecting to the store');
    const startupTimeoutMs = config.store.kind === 'redis' ? config.store.startupTimeout * 1000 : 0;
    // The embedded store lives in this process only, so without a KEK a random one protects its secrets.
    const secretsKek = keyEncryptionKey ?? randomBytes(32).toString('base64');
    const { keys, sessions } = await waitForStore(
      async () => {
        const opened = await SigningKeyRing.open({
          store,
          ...signingKeyRingSettingsFor(config, keyEncryptionKey),
          now,
          onError: (error) =>
            logger.error({ err: errorForLog(error) }, 'signing key reload or rotation failed'),
          onRotated: ({ kid }) =>
            audit.record({ event: 'key.rotated', outcome: 'success', details: { kid } }),
          onRestored: ({ kid, generation }) =>
            logger.warn(
              { kid, generation, store: storeAddress },
              'the signing key ring was gone from the store (empty after a failover?): this instance put its current key back',
            ),
        });
        const service = new SessionService({
          store,
          keys: opened,
          now,
          ...sessionServiceSettingsFor(config, secretsKek),
        });
        try {
          await service.start();
        } catch (error) {
          opened.close();
          throw error;
        }
        return { keys: opened, sessions: service };
      },
      {
        timeoutMs: startupTimeoutMs,
        address: storeAddress,
        onRetry: (attempt, delayMs, error) =>
          logger.warn(
            { store: storeAddress, attempt, retryInMs: delayMs, err: error.internal ?? error.detail },
            'the store is not reachable yet; retrying',
          ),
      },
    );
    logger.info({ store: storeAddress }, 'store connected');
    closers.unshift(() => keys.close());
    closers.unshift(() => sessions.close());

    // CRL refreshes that list a certificate end its sessions, already while the first state loads its CRLs; the
    // service reads the state (opened below) per call.
    // eslint-disable-next-line prefer-const -- read by callbacks created before it is opened
    let live: LiveGatewayState;
    const state = (): GatewayState => live.current();
    const rolesAnywhere = new RolesAnywhereService({
      state: () => {
        const { config: current, catalog, anchors } = state();
        return {
          scope: { partition: current.partition, account: current.account },
          catalog,
          anchors,
          profiles: current.profiles,
        };
      },
      sessions,
      store,
      audit,
      now,
    });
    const anchorOptions: TrustAnchorRegistryOptions = {
      onRevoked: (revoked) => {
        void rolesAnywhere
          .revokeCertificate({ serial: revoked.serialHex, issuerDn: revoked.issuerDn })
          .catch((error: unknown) =>
            logger.error(
              { err: errorForLog(error), anchor: revoked.anchorId },
              'revoking a CRL-listed certificate failed',
            ),
          );
      },
      onCrlError: (anchor, source, error) =>
        logger.warn(
          { anchor, source, err: errorForLog(error) },
          'CRL not refreshed; the last good copy stays',
        ),
    };
    live = await LiveGatewayState.open(config, { store, now, anchors: anchorOptions });
    closers.unshift(() => live.close());
    activitySink = activityAuditSink(activity, () => {
      const { partition, account } = state().config;
      return { partition, account };
    });

    const authorizer = createAuthorizer({
      routing: () => state().routing,
      getCatalog: () => state().catalog,
      sessions,
      keys,
      store,
      activity,
      now,
    });
    closers.unshift(() => authorizer.close());
    metrics.observeAuthorizer(() => authorizer.stats());
    metrics.observeStore(store);
    sessions.onRevocation((event) => metrics.revocationsReceived.inc({ kind: event.kind }));
    const authzHandler = createAuthzHandler({
      authorizer,
      audit,
      metrics,
      logger,
      accessSample: () => state().config.log.authzAccessSample,
    });

    const sts = new StsService({
      catalog: () => state().catalog,
      settings: () => ({
        partition: state().config.partition,
        account: state().config.account,
        defaultDurationSeconds: state().config.sessions.defaultDuration,
        chainedMaxDurationSeconds: state().config.sessions.chainedMaxDuration,
      }),
      sessions,
      // Delegates, so that a configuration reload's new providers are used at once.
      webIdentity: { verify: (token) => state().providers.webIdentity.verify(token) },
      samlProvider: (id) => state().providers.saml.get(id),
      audit,
      metrics,
      now,
      authorizationMessages: new AuthorizationMessageCodec(
        KeyEncryptionKey.fromSecret(secretsKek, 'authorization-messages'),
      ),
    });
    const signatures = new SignedRequestVerifier({
      verifyToken: async (token) => ({ session: await sessions.verify(token) }),
      secretOf: (session) => sessions.secretAccessKeyOf(session),
      now,
      // The STS endpoint checks the service itself (sts); the services allow-list is the authorizer's.
      allow: () => ({ ...scopeAllowListOf(state().config.sigv4), services: undefined }),
      skewSeconds: config.sigv4.clockSkew,
    });
    const federation = stsPortalFederation(sts);

    const tokenExchange = new TokenExchangeService({
      clients: () => state().clients,
      catalog: () => state().catalog,
      settings: () => ({
        issuer: state().config.publicUrl,
        partition: state().config.partition,
        account: state().config.account,
        defaultDurationSeconds: state().config.sessions.defaultDuration,
      }),
      sessions,
      webIdentity: () => state().providers.webIdentity,
      audit,
      now,
    });

    const portalSessions = new PortalSessionStore(
      store,
      now,
      KeyEncryptionKey.fromSecret(secretsKek, 'portal-id-tokens'),
    );
    // `fedgate login`: the device's sign-in is a portal session of its own, its role sessions minted like the portal's.
    const device = new DeviceAuthorizationService({
      store,
      publicUrl: () => state().config.publicUrl,
      signIns: {
        create: (identity, lifetimeSeconds) => portalSessions.create(identity, lifetimeSeconds),
        get: (id) => portalSessions.get(id),
        end: async (signIn) => {
          const revoked = await sessions.revokePortalSession(signIn.handle);
          const portal = await portalSessions.get(signIn.id);
          if (portal !== undefined) await portalSessions.delete(portal);
          return revoked;
        },
      },
      assume: (input) => federation.assume(input),
      audit,
      now,
    });

    const mounts: RouteMount[] = [
      rateLimitMount(limits),
      discoveryRoutes({
        issuer: () => state().config.publicUrl,
        algorithm: () => state().config.signing.algorithm,
        jwks: () => keys.jwks(),
      }),
      stsRoutes(sts, { splitSamlJsonBody: (body) => sharedSamlVerifierPool().splitJsonBody(body) }),
      rolesAnywhereRoutes(rolesAnywhere),
      stsQueryRoutes({ sts, signatures }),
      portalRoutes({
        getConfig: () => state().config,
        getProviders: () => state().providers,
        flow: createPortalFlow({
          getConfig: () => state().config,
          getProviders: () => state().providers,
          portalSessions,
          sessions,
          federation,
          audit,
          device,
          countLogin: (provider, outcome) => metrics.logins.inc({ provider, outcome }),
          now,
        }),
        now,
        device,
      }),
      adminRoutes({
        getConfig: () => state().config,
        getCatalog: () => state().catalog,
        sessions,
        audit,
        now,
      }),
      accessRoutes({
        getConfig: () => state().config,
        getCatalog: () => state().catalog,
        sessions,
        now,
        reports: new AccessReports({
          store,
          getConfig: () => state().config,
          getCatalog: () => state().catalog,
          recorder: activity,
          now,
        }),
      }),
      simulatorRoutes({ authorizer, getConfig: () => state().config }),
      tokenRoutes(tokenExchange, {
        device,
        management: new TokenManagementService({
          clients: () => state().clients,
          sessions,
          issuer: () => state().config.publicUrl,
          audit,
        }),
        onError: (error, requestId) =>
          logger.error({ requestId, err: errorForLog(error) }, 'token endpoint failed'),
      }),
    ];
    const app = createHttpApp({
      logger,
      metrics,
      // Ready only while the revocation channel is proven live too: a silent subscription is not ready.
      readiness: { store: async () => store.isConnected() && (await store.ping(), true) },
      trustProxies: config.trustProxies.map((proxy) => proxy.cidr),
      browserErrorPage: (error) =>
        renderPortalPage(
          httpErrorPage(error.status, error.detail, error.code),
          portalBrand(state().config.portal),
        ),
      https: config.publicUrl.startsWith('https:'),
      // A base64 SAML response posted to /sts/assume-role-with-saml can exceed the default 64 kB.
      jsonLimit: '512kb',
      mounts,
      errorRenderers: [stsQueryErrorRenderer],
    });
    prototypes.adopt(app);
    // The authorizer's hot path bypasses Express even on the main listener.
    const handler = (req: IncomingMessage, res: ServerResponse): void => {
      const url = req.url ?? '/';
      if (url === '/authz' || url.startsWith('/authz/') || url.startsWith('/authz?')) authzHandler(req, res);
      else app(req, res);
    };
    serve = handler;
    // On close the listener stops first.
    closers.splice(closers.indexOf(closeServer), 1);
    closers.unshift(closeServer);
    let authorizerServer: RunningServer | undefined;
    const authorizerListen = config.authorizer.listen;
    if (authorizerListen !== undefined) {
      // The authorizer's own bare node:http listener: no Express, no middleware chain, only the hot path.
      authorizerServer = await listen(
        authzHandler,
        authorizerListen.host,
        options.authorizerPort ?? authorizerListen.port,
      );
      listeners.push(authorizerServer);
    }

    if (options.watch ?? true) {
      const watcher = watchGatewayConfig(live, options.configPath, { env, logger, audit });
      closers.unshift(() => watcher.close());
    }

    let closing: Promise<void> | undefined;
    return {
      url: server.url,
      authorizerUrl: authorizerServer?.url,
      store,
      sessions,
      keys,
      metrics,
      activity,
      state,
      close: () => (closing ??= runClosers(closers)),
    };
  } catch (error) {
    await runClosers(closers);
    throw error;
  }
}

async function runClosers(closers: readonly (() => Promise<void> | void)[]): Promise<void> {
  for (const close of closers) {
    try {
      await close();
    } catch {
      // Closing continues: one part failing to close must not keep the others open.
    }
  }
}

/** Re-exported for tests and the demo that read audit events in memory. */
export { memoryAuditSink } from './audit/index.js';
