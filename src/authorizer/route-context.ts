import type { OriginalRequest } from './original-request.js';
import type { RouteMatch } from './route-table.js';

/** A context value as the policy engine takes it. */
export type RouteContextValue = string | boolean | number | string[];

/** Query parameters beyond this many are not turned into context keys (bounds the work per request). */
const MAX_QUERY_KEYS = 32;

/**
 * The request-specific context keys of SPEC 7.5 for a routed request: `aws:SourceIp`, `aws:SecureTransport`
 * and the `fedgate:Request*`, `fedgate:PathParam/<name>`, `fedgate:QueryParam/<name>` keys. Principal,
 * resource and time keys are added by the shared decision function, which owns them.
 */
export function routeContext(request: OriginalRequest, match: RouteMatch): Record<string, RouteContextValue> {
  const context: Record<string, RouteContextValue> = {
    'aws:SecureTransport': request.secure,
    'fedgate:RequestMethod': request.method,
    'fedgate:RequestHost': match.hostname,
    'fedgate:RequestPath': match.path,
  };
  if (request.sourceIp !== undefined) context['aws:SourceIp'] = request.sourceIp;
  for (const [name, value] of Object.entries(match.params)) context[`fedgate:PathParam/${name}`] = value;
  let seen = 0;
  for (const name of new Set(request.query.keys())) {
    if (++seen > MAX_QUERY_KEYS) break;
    const values = request.query.getAll(name);
    context[`fedgate:QueryParam/${name}`] = values.length === 1 ? (values[0] as string) : values;
  }
  return context;
}
