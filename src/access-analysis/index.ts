export type { ActivityRecorder } from './activity-recorder.js';
export { noActivityRecorder } from './activity-recorder.js';
export {
  BufferedActivityRecorder,
  type BufferedActivityRecorderOptions,
} from './buffered-activity-recorder.js';
export { activityAuditSink, type ActivityAuditSettings } from './activity-audit-sink.js';
export { literalPattern, resourceGroup } from './resource-group.js';
export { readActivity, type ActivityWindow, type RoleActivity, type DayActivity } from './activity-reader.js';
export {
  AccessReports,
  type AccessOverview,
  type AccessReportsDeps,
  type RoleOverview,
} from './access-reports.js';
export type { LastAccessedReport } from './last-accessed-report.js';
export type { UnusedAccessReport } from './unused-access-report.js';
export type { GeneratedPolicyReport } from './generate-policy-report.js';
export type { WhoCanReport, WhoCanRole, WhoCanQuestion } from './who-can-report.js';
export type { AccessFinding, AccessFindingsReport } from './access-findings-report.js';
export { DEFAULT_DAYS, parseContextPairs, parseDays, parseRoleName, parseText } from './report-inputs.js';
