import { FedgateError } from '../errors/index.js';

/**
 * Translates whatever ioredis threw into our error tree at the adapter boundary. Redis replies that mean
 * the caller misused a key (wrong type, not an integer) are programmer errors; everything else means the
 * store cannot answer now. The ioredis error is not kept as `cause`: it carries the command's arguments,
 * which may be secrets.
 */
export function translateRedisError(error: unknown): Error {
  if (error instanceof FedgateError || error instanceof TypeError) return error;
  const name = error instanceof Error ? error.name : 'Error';
  const message = error instanceof Error ? error.message : String(error);
  if (name === 'ReplyError' && /^WRONGTYPE|ERR value is not an integer/.test(message))
    return new TypeError('store key holds a different kind of value');
  return storeUnavailable(`${name}: ${redactSecrets(message)}`);
}

/** The one error every adapter failure becomes; `internal` is for logs, already free of secrets. */
export function storeUnavailable(internal: string): FedgateError {
  return new FedgateError('StoreUnavailable', 'The store is unavailable.', {
    internal: internal.slice(0, 300),
  });
}

/** Removes credentials that could appear in connection strings echoed by a driver. */
export function redactSecrets(text: string): string {
  return text.replace(/(\w+:\/\/)[^@/\s]*@/g, '$1***@').replace(/(pass(?:word)?\s*[=:]\s*)\S+/gi, '$1***');
}
