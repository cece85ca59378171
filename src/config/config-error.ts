import { FedgateError } from '../errors/index.js';
import { formatSourceLocation, type SourceLocation } from './source-location.js';

/** One problem in the configuration, at its path (`roles[2].trustPolicy.Statement[0]`; '' for the file). */
export interface ConfigIssue {
  readonly path: string;
  readonly message: string;
  /** Where it was written: the file, and line and column when known. */
  readonly location?: SourceLocation;
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
        internal: issues.map((issue) => formatConfigIssue(issue)).join('\n'),
      },
    );
    this.name = 'ConfigError';
    this.issues = Object.freeze(issues.map((issue) => Object.freeze({ ...issue })));
  }
}

/**
 * `file:line:column: path: message` for a person, leaving out what is not known; the file relative to `cwd`
 * when it lies below it.
 */
export function formatConfigIssue(issue: ConfigIssue, cwd: string = process.cwd()): string {
  const where = issue.location === undefined ? '' : `${formatSourceLocation(issue.location, cwd)}: `;
  return issue.path === '' ? `${where}${issue.message}` : `${where}${issue.path}: ${issue.message}`;
}
