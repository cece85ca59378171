import { FedgateError } from '../errors/index.js';
import type { FormValue } from './form-fields.js';

/** The STS Query API version fedgate speaks. */
export const STS_API_VERSION = '2011-06-15';

/** The actions of the STS Query API fedgate implements. */
export const STS_QUERY_ACTIONS = [
  'AssumeRoleWithWebIdentity',
  'AssumeRoleWithSAML',
  'AssumeRole',
  'GetCallerIdentity',
  'DecodeAuthorizationMessage',
] as const;

/** One implemented action. */
export type StsQueryAction = (typeof STS_QUERY_ACTIONS)[number];

/** A parsed Query request: the action and its parameters in the JSON API's shape. */
export interface StsQueryRequest {
  readonly action: StsQueryAction;
  readonly input: Record<string, unknown>;
}

// Parameters a presigned URL adds to the query; they authenticate, they are not the action's input.
const SIGNATURE_PARAMETER = /^X-Amz-/;
const LIST_FIELDS = new Set(['PolicyArns', 'Tags', 'TransitiveTagKeys']);
const MEMBER = /^([A-Za-z]{1,64})\.member\.([1-9]\d{0,2})(?:\.([A-Za-z]{1,64}))?$/;

/**
 * Reads `Action`, `Version` and the action's parameters from the Query protocol's flat form
 * (`PolicyArns.member.1.arn`, `Tags.member.2.Key`, `TransitiveTagKeys.member.1`; `Tags=` for an empty list)
 * into the JSON API's shape, so both APIs run the same validation. InvalidAction for a missing or unknown
 * action or version; ValidationError for a repeated parameter. Values are never echoed.
 */
export function parseStsQuery(params: readonly (readonly [string, FormValue])[]): StsQueryRequest {
  const action = single(params, 'Action');
  if (action === undefined)
    throw new FedgateError('InvalidAction', 'The request must contain the parameter Action.');
  if (!(STS_QUERY_ACTIONS as readonly string[]).includes(action))
    throw new FedgateError('InvalidAction', 'The action is not valid for this web service.');
  const version = single(params, 'Version');
  if (version !== STS_API_VERSION)
    throw new FedgateError('InvalidAction', `The Version parameter must be ${STS_API_VERSION}.`);

  const input: Record<string, unknown> = {};
  const lists = new Map<string, Map<number, unknown>>();
  const seen = new Set<string>();
  for (const [name, value] of params) {
    if (name === 'Action' || name === 'Version' || SIGNATURE_PARAMETER.test(name)) continue;
    if (seen.has(name)) throw new FedgateError('ValidationError', `${safeName(name)}: is repeated`);
    seen.add(name);
    const member = MEMBER.exec(name);
    if (member !== null) {
      const [, list, index, field] = member as unknown as [string, string, string, string | undefined];
      if (!LIST_FIELDS.has(list)) throw new FedgateError('ValidationError', `unknown field(s) ${list}`);
      const items = lists.get(list) ?? new Map<number, unknown>();
      lists.set(list, items);
      const position = Number(index);
      if (field === undefined) items.set(position, value);
      else {
        const item = (items.get(position) ?? {}) as Record<string, FormValue>;
        item[field] = value;
        items.set(position, item);
      }
      continue;
    }
    if (LIST_FIELDS.has(name) && value === '') {
      lists.set(name, lists.get(name) ?? new Map());
      continue;
    }
    input[name] = value;
  }
  for (const [list, items] of lists)
    input[list] = [...items.entries()].sort(([a], [b]) => a - b).map(([, item]) => item);
  return { action: action as StsQueryAction, input };
}

function single(params: readonly (readonly [string, FormValue])[], name: string): string | undefined {
  const values = params.filter(([key]) => key === name).map(([, value]) => value);
  if (values.length > 1) throw new FedgateError('ValidationError', `${name}: is repeated`);
  const [value] = values;
  return typeof value === 'string' ? value : undefined;
}

/** A parameter name safe to echo: letters, digits and dots only, at most 64 characters. */
function safeName(name: string): string {
  return /^[A-Za-z0-9.]{1,64}$/.test(name) ? name : 'a parameter';
}
