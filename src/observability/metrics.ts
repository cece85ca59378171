import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** The Prometheus metrics of one gateway process (a registry per instance, so tests can run several). */
export class GatewayMetrics {
  readonly registry = new Registry();
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
    help: 'Authorizer answers by outcome (allow, explicit_deny, implicit_deny, unauthenticated, no_route, unavailable)',
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

  constructor(options: { defaultMetrics?: boolean } = {}) {
    // Process and Node.js metrics under their standard names (process_cpu_seconds_total, nodejs_heap_size_used_bytes…),
    // so stock dashboards and alerts work unchanged.
    if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: this.registry });
  }
}
