import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { AuthorizerStats } from '../authorizer/index.js';

/** What the store gauges read at scrape time (the Store port's two health questions). */
export interface StoreHealth {
  canQuery(): boolean;
  isConnected(): boolean;
}

/** The Prometheus metrics of one gateway process (a registry per instance, so tests can run several). */
export class GatewayMetrics {
  readonly registry = new Registry();
  #authorizer: (() => AuthorizerStats) | undefined;
  #store: StoreHealth | undefined;
  readonly httpRequests = new Counter({
    name: 'fedgate_http_requests_total',
    help: 'HTTP requests by route group, method and status code',
    labelNames: ['group', 'method', 'code'] as const,
    registers: [this.registry],
  });
  readonly httpDuration = new Histogram({
    name: 'fedgate_http_request_duration_seconds',
    help: 'HTTP request latency by route group (login, saml, oidc, sts, oauth2, portal…) and status class (2xx, 3xx, 4xx, 5xx)',
    labelNames: ['group', 'code_class'] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  readonly logins = new Counter({
    name: 'fedgate_logins_total',
    help: 'IdP logins by provider and outcome',
    labelNames: ['provider', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly roleAssumptions = new Counter({
    name: 'fedgate_role_assumptions_total',
    help: 'Role sessions issued or refused, by API and outcome',
    labelNames: ['api', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly tokenExchanges = new Counter({
    name: 'fedgate_token_exchanges_total',
    help: 'RFC 8693 token exchanges by outcome',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly authzDecisions = new Counter({
    name: 'fedgate_authz_decisions_total',
    help: 'Authorizer answers by outcome (allow, explicit_deny, implicit_deny, unauthenticated, no_route, bad_request, unavailable, error)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly authzDuration = new Histogram({
    name: 'fedgate_authz_duration_seconds',
    help: 'Authorizer decision latency',
    buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1],
    registers: [this.registry],
  });

  readonly rateLimitRejections = new Counter({
    name: 'fedgate_rate_limit_rejections_total',
    help: 'Requests answered 429 by a rate limit, by limit (login, login_start, sts, token)',
    labelNames: ['limit'] as const,
    registers: [this.registry],
  });

  readonly revocationsReceived = new Counter({
    name: 'fedgate_revocations_received_total',
    help: "Revocation messages received on the store's pub/sub channel (this instance's own included), by kind (session, role, subject, portal)",
    labelNames: ['kind'] as const,
    registers: [this.registry],
  });

  // The authorizer's caches keep plain counters on the hot path; these read them at scrape time.
  readonly authzCacheLookups = new Counter({
    name: 'fedgate_authz_cache_lookups_total',
    help: 'Authorizer cache lookups by cache (credentials: verified session credentials; decisions: the per-session memo of decisions within one second) and outcome (hit, miss)',
    labelNames: ['cache', 'outcome'] as const,
    registers: [this.registry],
    collect: () => {
      const stats = this.#authorizer?.();
      if (stats === undefined) return;
      const lookups = this.authzCacheLookups;
      lookups.reset();
      lookups.inc({ cache: 'credentials', outcome: 'hit' }, stats.credentials.hits);
      lookups.inc({ cache: 'credentials', outcome: 'miss' }, stats.credentials.misses);
      lookups.inc({ cache: 'decisions', outcome: 'hit' }, stats.decisions.hits);
      lookups.inc({ cache: 'decisions', outcome: 'miss' }, stats.decisions.misses);
    },
  });
  readonly authzCacheEvictions = new Counter({
    name: 'fedgate_authz_cache_evictions_total',
    help: 'Entries that left the credentials cache, by reason (capacity: least recently used made room; expired; revoked: a revocation reached it; reset: the store connection changed or the cache was reconfigured)',
    labelNames: ['cache', 'reason'] as const,
    registers: [this.registry],
    collect: () => {
      const stats = this.#authorizer?.();
      if (stats === undefined) return;
      const evictions = this.authzCacheEvictions;
      evictions.reset();
      for (const [reason, count] of Object.entries(stats.credentials.evictions))
        evictions.inc({ cache: 'credentials', reason }, count);
    },
  });
  readonly authzCacheEntries = new Gauge({
    name: 'fedgate_authz_cache_entries',
    help: 'Entries the authorizer cache holds now',
    labelNames: ['cache'] as const,
    registers: [this.registry],
    collect: () => {
      const stats = this.#authorizer?.();
      if (stats !== undefined)
        this.authzCacheEntries.set({ cache: 'credentials' }, stats.credentials.entries);
    },
  });

  readonly storeUp = new Gauge({
    name: 'fedgate_store_up',
    help: 'Whether commands reach the store (1) or not (0): while 0 the authorizer answers 503',
    registers: [this.registry],
    collect: () => {
      if (this.#store !== undefined) this.storeUp.set(this.#store.canQuery() ? 1 : 0);
    },
  });
  readonly revocationChannelUp = new Gauge({
    name: 'fedgate_store_revocation_channel_up',
    help: "Whether the store's revocation channel is proven live (1) or not (0): while 0 no verified credential is cached",
    registers: [this.registry],
    collect: () => {
      if (this.#store !== undefined) this.revocationChannelUp.set(this.#store.isConnected() ? 1 : 0);
    },
  });

  constructor(options: { defaultMetrics?: boolean } = {}) {
    // Process and Node.js metrics under their standard names (process_cpu_seconds_total, nodejs_heap_size_used_bytes…),
    // so stock dashboards and alerts work unchanged.
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }

  /** Reads the authorizer's cache counters at every scrape. */
  observeAuthorizer(stats: () => AuthorizerStats): void {
    this.#authorizer = stats;
  }

  /** Reads the store's health at every scrape. */
  observeStore(store: StoreHealth): void {
    this.#store = store;
  }
}
