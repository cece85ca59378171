import { FedgateError } from '../errors/index.js';

/** A report asked about a role the configuration does not have (404 on the API, exit 1 on the CLI). */
export function unknownRole(): FedgateError {
  return new FedgateError('NotFound', 'No role with that name is configured');
}
