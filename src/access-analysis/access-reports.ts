import type { GatewayConfig } from '../config/index.js';
import type { PolicyCatalog } from '../roles/index.js';
import type { Store } from '../store/index.js';
import { accessFindingsReport, type AccessFindingsReport } from './access-findings-report.js';
import { unknownRole } from './access-report-errors.js';
import { readActivity, type ActivityWindow, type RoleActivity } from './activity-reader.js';
import type { ActivityRecorder } from './activity-recorder.js';
import { generatePolicyReport, type GeneratedPolicyReport } from './generate-policy-report.js';
import { lastAccessedReport, type LastAccessedReport } from './last-accessed-report.js';
import { grantedActions, knownActions } from './role-grants.js';
import { unusedAccessReport, type UnusedAccessReport } from './unused-access-report.js';
import { whoCanReport, type WhoCanQuestion, type WhoCanReport } from './who-can-report.js';

/** What the reports read. */
export interface AccessReportsDeps {
  /** Absent for tools that only ask who-can (which reads no activity). */
  readonly store?: Store;
  getConfig(): GatewayConfig;
  getCatalog(): PolicyCatalog;
  /** The gateway's own recorder: flushed before reading, so reports include the last seconds. */
  readonly recorder?: ActivityRecorder;
  readonly now?: () => number;
}

/** One role's row of the admin overview. */
export interface RoleOverview {
  readonly activity: RoleActivity;
  readonly grantedActions: readonly string[];
  readonly usedActions: readonly string[];
  readonly unusedActions: readonly string[];
}

/** The admin page: every role's activity over the window, and the findings. */
export interface AccessOverview {
  readonly window: { readonly from: string; readonly to: string; readonly days: number };
  readonly roles: readonly RoleOverview[];
  readonly findings: AccessFindingsReport;
}

/** The access-analysis reports (issue 15) over the activity record and the configuration in force. */
export class AccessReports {
  readonly #deps: AccessReportsDeps;

  constructor(deps: AccessReportsDeps) {
    this.#deps = deps;
  }

  /** The retention in whole days: the longest window a report may ask for. */
  retentionDays(): number {
    return Math.floor(this.#deps.getConfig().accessAnalysis.retention / 86_400);
  }

  async lastAccessed(role: string, days: number): Promise<LastAccessedReport> {
    const config = this.#deps.getConfig();
    if (!config.roles.some((r) => r.name === role)) throw unknownRole();
    return lastAccessedReport(config, await this.#read(config, [role], days), role);
  }

  async unused(days: number): Promise<UnusedAccessReport> {
    const config = this.#deps.getConfig();
    return unusedAccessReport(
      config,
      await this.#read(
        config,
        config.roles.map((r) => r.name),
        days,
      ),
      this.#now(),
    );
  }

  async generatePolicy(role: string, days: number): Promise<GeneratedPolicyReport> {
    const config = this.#deps.getConfig();
    if (!config.roles.some((r) => r.name === role)) throw unknownRole();
    return generatePolicyReport(config, await this.#read(config, [role], days), role);
  }

  whoCan(question: WhoCanQuestion): WhoCanReport {
    return whoCanReport(this.#deps.getConfig(), this.#deps.getCatalog(), question, this.#now());
  }

  async findings(days: number): Promise<AccessFindingsReport> {
    const config = this.#deps.getConfig();
    const activity = await this.#read(
      config,
      config.roles.map((r) => r.name),
      days,
    );
    return accessFindingsReport(config, unusedAccessReport(config, activity, this.#now()), activity);
  }

  async overview(days: number): Promise<AccessOverview> {
    const config = this.#deps.getConfig();
    const activity = await this.#read(
      config,
      config.roles.map((r) => r.name),
      days,
    );
    const now = this.#now();
    const unused = unusedAccessReport(config, activity, now);
    const roles = activity.roles.map((roleActivity) => {
      const observed = roleActivity.actions.map((a) => a.action);
      const granted = grantedActions(config, roleActivity.role, knownActions(config, observed));
      const used = roleActivity.actions.filter((a) => a.allowed > 0).map((a) => a.action);
      const usedLower = new Set(used.map((a) => a.toLowerCase()));
      return {
        activity: roleActivity,
        grantedActions: granted,
        usedActions: used,
        unusedActions: granted.filter((a) => !usedLower.has(a.toLowerCase())),
      };
    });
    return {
      window: { from: activity.from, to: activity.to, days },
      roles,
      findings: accessFindingsReport(config, unused, activity),
    };
  }

  async #read(_config: GatewayConfig, roles: readonly string[], days: number): Promise<ActivityWindow> {
    const store = this.#deps.store;
    if (store === undefined)
      throw new TypeError('this report reads the activity record: give AccessReports a store');
    await this.#deps.recorder?.flush();
    return readActivity(store, roles, this.#now(), days);
  }

  #now(): number {
    return (this.#deps.now ?? Date.now)();
  }
}
