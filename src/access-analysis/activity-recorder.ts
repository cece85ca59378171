/** The activity record's write side (issue 15): what every decision point calls, without waiting. */
export interface ActivityRecorder {
  /** A role session was issued for `role` to `subject` of `provider` (STS, the portal). */
  recordAssumption(role: string, provider: string, subject: string, atMs: number): void;
  /** A sign-in at `provider` succeeded (whether or not a role followed). */
  recordLogin(provider: string, atMs: number): void;
  /**
   * A decision for a session of `role`: `resource` is the resource group (see `resourceGroup`) for routed
   * requests, the resource ARN otherwise.
   */
  recordDecision(role: string, action: string, resource: string, allowed: boolean, atMs: number): void;
  /** Writes what is buffered now; resolves when written or when the store refused (kept for the next try). */
  flush(): Promise<void>;
  /** Stops the timer and writes what is buffered (best effort). */
  close(): Promise<void>;
}

/** A recorder that keeps nothing (tests and tools that have no activity to record). */
export const noActivityRecorder: ActivityRecorder = {
  recordAssumption() {},
  recordLogin() {},
  recordDecision() {},
  flush: async () => {},
  close: async () => {},
};
