export { FedgateError, isFedgateError, statusForCode } from './fedgate-error.js';
export type { ErrorCode, FedgateErrorOptions } from './fedgate-error.js';
export type { RefusalCatalogues, RefusalReason } from './refusal-reason.js';
