export { AuditLog, streamAuditSink, memoryAuditSink } from './audit-log.js';
export type { AuditEvent, AuditEventName, AuditRecord, AuditSink } from './audit-events.js';
