import { FedgateError } from '../errors/index.js';

/** One problem in the configuration, at its path (`roles[2].trustPolicy.Statement[0]`; '' for the file). */
export interface ConfigIssue {
  readonly path: string;
  readonly message: string;
}

/** The configuration is invalid; `issues` lists every problem found, each with its path. */
export class ConfigError extends FedgateError {
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[], source?: string) {
    const count = issues.length === 1 ? '1 problem' : `${issues.length} problems`;
    super(
      'InvalidConfiguration',
      `invalid configuration${source === undefined ? '' : ` ${source}`}: ${count}`,
      {
        internal: issues.map(formatConfigIssue).join('\n'),
      },
    );
    this.name = 'ConfigError';
    this.issues = Object.freeze(issues.map((issue) => Object.freeze({ ...issue })));
  }
}

/** `path: message`, or just the message for a file-level problem. */
export function formatConfigIssue(issue: ConfigIssue): string {
  return issue.path === '' ? issue.message : `${issue.path}: ${issue.message}`;
}
