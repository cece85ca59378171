export { AuditLog, streamAuditSink, memoryAuditSink } from './audit-log.js';
export type { AuditLogOptions } from './audit-log.js';
export {
  DEFAULT_REFUSAL_WINDOW_MS,
  MAX_AGGREGATED_SOURCES,
  RefusalAggregator,
} from './refusal-aggregator.js';
export type {
  AggregatedAuditDetails,
  AuditDetailValue,
  AuditEvent,
  AuditEventCatalogue,
  AuditEventFields,
  AuditEventName,
  AuditEventOf,
  AuditRecord,
  AuditRecordOf,
  AuditSink,
  CertificateAuditDetails,
  DeviceAuditDetails,
  SessionRevokedDetails,
  TokenAuditDetails,
} from './audit-events.js';
export { MAX_AUDIT_STRING_LENGTH, redactedMarker, scrubAuditRecord, secretKindOf } from './audit-scrubber.js';
export type { SecretKind } from './audit-scrubber.js';
export { createFileAuditSink } from './file-audit-sink.js';
export type { FileAuditSink, FileAuditSinkOptions } from './file-audit-sink.js';
export { createRedisStreamAuditSink } from './redis-stream-audit-sink.js';
export type { RedisStreamAuditSink, RedisStreamAuditSinkOptions } from './redis-stream-audit-sink.js';
export { auditSinksFor } from './configured-audit-sinks.js';
export type { AuditSinkContext } from './configured-audit-sinks.js';
