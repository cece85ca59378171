import {
  AccessReports,
  DEFAULT_DAYS,
  parseContextPairs,
  parseDays,
  parseRoleName,
  parseText,
} from '../access-analysis/index.js';
import { ConfigError, loadConfig, storeOptionsFor, type GatewayConfig } from '../config/index.js';
import { isFedgateError } from '../errors/index.js';
import { PolicyCatalog } from '../roles/index.js';
import { createStore, type Store } from '../store/index.js';
import {
  findingsText,
  generatedPolicyText,
  lastAccessedText,
  unusedText,
  whoCanText,
} from './access-tables.js';
import { ExitCode, type CliIo, type CommandHandler } from './cli-io.js';
import { configPathFrom, parseCommandArgs } from './parse-command-args.js';

/** The `fedgate access` sub-commands and their help. */
export const ACCESS_USAGE = `Usage: fedgate access <report> [--config FILE] [--json]

Reports over the activity record in the shared Redis store (who-can needs only the configuration):
  last-accessed --role R [--days N]   per service and action: last access, counts, "never used"   (N: 400)
  unused [--days N]                    roles not assumed, granted actions not used, IdPs without logins (N: 90)
  generate-policy --role R [--days N]  a least-privilege identity policy from the allowed requests     (N: 90)
  who-can --action A --resource ARN [--context k=v]...
                                       per role: allowed, denied or allowed with context; who reaches it
  findings [--days N]                  Access-Analyzer-style findings (exit 1 when there are any)     (N: 90)

--json prints the JSON the admin API (GET /access/<report>) answers.`;

interface AccessArgs {
  config?: string;
  json?: boolean;
  role?: string;
  days?: string;
  action?: string;
  resource?: string;
  context?: string[];
}

type Report = 'last-accessed' | 'unused' | 'generate-policy' | 'who-can' | 'findings';

const OPTIONS = {
  config: { type: 'string' },
  json: { type: 'boolean' },
  role: { type: 'string' },
  days: { type: 'string' },
  action: { type: 'string' },
  resource: { type: 'string' },
  context: { type: 'string', multiple: true },
} as const;

/** `fedgate access <report>`: one handler per report. */
export function accessCommand(report: Report): CommandHandler {
  return async (args, io) => {
    const parsed = parseCommandArgs<AccessArgs>(args, OPTIONS, ACCESS_USAGE, io);
    if (!parsed.ok) return parsed.exitCode;
    const values = parsed.values;
    const needsRole = report === 'last-accessed' || report === 'generate-policy';
    if (
      needsRole !== (values.role !== undefined) ||
      (report === 'who-can') !== (values.action !== undefined)
    ) {
      io.stderr.write(`fedgate access ${report}: wrong options\n\n${ACCESS_USAGE}\n`);
      return ExitCode.Usage;
    }
    const configPath = configPathFrom(values.config, io);
    let config: GatewayConfig;
    try {
      config = await loadConfig(configPath, { env: io.env });
    } catch (error) {
      if (!(error instanceof ConfigError)) throw error;
      io.stderr.write(
        `fedgate access: ${configPath} is invalid:\n${error.issues.map((i) => `  ${i.path || '(root)'}: ${i.message}`).join('\n')}\n`,
      );
      return ExitCode.Invalid;
    }
    if (report !== 'who-can' && config.store.kind === 'memory') {
      io.stderr.write(
        'fedgate access: this configuration uses the embedded store, which lives inside the running gateway: use its admin API (GET /access/<report>), or configure a Redis store\n',
      );
      return ExitCode.Invalid;
    }
    const store: Store | undefined =
      report === 'who-can' ? undefined : createStore(storeOptionsFor(config.store));
    try {
      return await run(report, values, config, store, io);
    } catch (error) {
      if (!isFedgateError(error)) throw error;
      io.stderr.write(`fedgate access ${report}: ${error.code}: ${error.detail}\n`);
      return ExitCode.Invalid;
    } finally {
      await store?.close();
    }
  };
}

async function run(
  report: Report,
  values: AccessArgs,
  config: GatewayConfig,
  store: Store | undefined,
  io: CliIo,
): Promise<number> {
  const catalog = PolicyCatalog.fromConfig(config);
  const reports = new AccessReports({
    ...(store === undefined ? {} : { store }),
    getConfig: () => config,
    getCatalog: () => catalog,
  });
  const retention = reports.retentionDays();
  const print = (json: unknown, text: string): void => {
    io.stdout.write(values.json === true ? `${JSON.stringify(json, null, 2)}\n` : text);
  };
  switch (report) {
    case 'last-accessed': {
      const result = await reports.lastAccessed(
        parseRoleName(values.role),
        parseDays(values.days, DEFAULT_DAYS.lastAccessed, retention),
      );
      print(result, lastAccessedText(result));
      return ExitCode.Ok;
    }
    case 'unused': {
      const result = await reports.unused(parseDays(values.days, DEFAULT_DAYS.unused, retention));
      print(result, unusedText(result));
      return ExitCode.Ok;
    }
    case 'generate-policy': {
      const result = await reports.generatePolicy(
        parseRoleName(values.role),
        parseDays(values.days, DEFAULT_DAYS.generatePolicy, retention),
      );
      print(result, generatedPolicyText(result));
      return ExitCode.Ok;
    }
    case 'who-can': {
      const result = reports.whoCan({
        action: parseText('action', values.action, 256),
        resource: parseText('resource', values.resource),
        context: parseContextPairs(values.context ?? []),
      });
      print(result, whoCanText(result));
      return ExitCode.Ok;
    }
    case 'findings': {
      const result = await reports.findings(parseDays(values.days, DEFAULT_DAYS.findings, retention));
      print(result, findingsText(result));
      return result.findings.length === 0 ? ExitCode.Ok : ExitCode.Invalid;
    }
  }
}
