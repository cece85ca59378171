import type { Decision } from '../policy/index.js';
import type { OriginalRequest } from './original-request.js';

/** Distinct requests remembered per session within one second. */
const MAX_DECISIONS_PER_SECOND = 64;
const MEMO_KEY = 'decisions';

interface SecondOfDecisions {
  readonly second: number;
  readonly catalog: object;
  readonly decisions: Map<string, Decision>;
}

/**
 * Remembers `authorizeSession`'s answers for one session within the current second. The decision is a pure
 * function of the catalog, the session, action, resource, the request's context keys and the clock, and
 * every time-dependent key (`aws:CurrentTime`, `aws:EpochTime`, `aws:MultiFactorAuthAge`) has a resolution
 * of one second: within one second, for the same catalog and inputs, re-evaluating cannot give another
 * answer. So this saves work for a hot session without ever being a second evaluator.
 *
 * A session's first decision in a second is only noted, not remembered (nor its key built): with many sessions,
 * each seen about once a second, remembering it would only allocate a key and a map per request that live long
 * enough for the garbage collector to copy them (bench/authorizer.ts, r2). A hot session is evaluated twice a second.
 */
export function memoizedDecision(
  memo: Map<string, unknown>,
  catalog: object,
  nowMs: number,
  keyOf: () => string,
  decide: () => Decision,
): Decision {
  const second = Math.floor(nowMs / 1000);
  const held = memo.get(MEMO_KEY) as SecondOfDecisions | number | undefined;
  let bucket: SecondOfDecisions;
  if (typeof held === 'object' && held.second === second && held.catalog === catalog) bucket = held;
  else if (held === second || (typeof held === 'object' && held.second === second)) {
    // The second decision of this second (or the first since a reload): from now on they are remembered.
    bucket = { second, catalog, decisions: new Map() };
    memo.set(MEMO_KEY, bucket);
  } else {
    memo.set(MEMO_KEY, second);
    return decide();
  }
  const key = keyOf();
  const known = bucket.decisions.get(key);
  if (known !== undefined) return known;
  const decision = decide();
  if (bucket.decisions.size < MAX_DECISIONS_PER_SECOND) bucket.decisions.set(key, decision);
  return decision;
}

/**
 * The memo key of a routed request: everything its context keys are derived from (method, host, path, the full
 * original URL with its query, source address, transport) plus the action and resource. Built from the raw
 * request, so a hit skips building the context at all. JSON keeps the parts apart whatever characters they hold.
 */
export function decisionKey(
  action: string,
  resource: string,
  request: Pick<OriginalRequest, 'method' | 'host' | 'path' | 'url' | 'sourceIp' | 'secure'>,
): string {
  return JSON.stringify([
    action,
    resource,
    request.method,
    request.host,
    request.path,
    request.url,
    request.sourceIp ?? null,
    request.secure,
  ]);
}
