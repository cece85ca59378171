import type { AuditRecord } from './audit-events.js';

/** The JSON line every text sink writes for a record; `audit: true` sets it apart from request logs. */
export function auditLine(record: AuditRecord): string {
  return `${JSON.stringify({ audit: true, ...record })}\n`;
}
