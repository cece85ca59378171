import { ExitCode, type CommandHandler } from './cli-io.js';
import { configPathFrom, parseCommandArgs } from './parse-command-args.js';
import { openSharedState } from './open-shared-state.js';
import { FedgateError } from '../errors/index.js';

const HELP = `Usage: fedgate sessions revoke (--session ID | --role NAME [--before TIME] | --subject SUB [--provider ID]) [--config FILE]

Revokes role sessions in the shared store; every gateway instance refuses them within a second.
  --session ID     one session (the credential's jti)
  --role NAME      every session of the role issued before --before (ISO 8601 or epoch seconds; default: now)
  --subject SUB    every session of a federated subject (optionally only from --provider)`;

/** A mass revocation's clean-up reports progress at most this often. */
const PROGRESS_INTERVAL_MS = 1_000;

interface RevokeArgs {
  config?: string;
  session?: string;
  role?: string;
  before?: string;
  subject?: string;
  provider?: string;
}

/** `fedgate sessions revoke`. */
export const sessionsRevokeCommand: CommandHandler = async (args, io) => {
  const parsed = parseCommandArgs<RevokeArgs>(
    args,
    {
      config: { type: 'string' },
      session: { type: 'string' },
      role: { type: 'string' },
      before: { type: 'string' },
      subject: { type: 'string' },
      provider: { type: 'string' },
    },
    HELP,
    io,
  );
  if (!parsed.ok) return parsed.exitCode;
  const { session, role, subject, before, provider } = parsed.values;
  const targets = [session, role, subject].filter((value) => value !== undefined).length;
  if (
    targets !== 1 ||
    (before !== undefined && role === undefined) ||
    (provider !== undefined && subject === undefined)
  ) {
    io.stderr.write(`give exactly one of --session, --role or --subject\n\n${HELP}\n`);
    return ExitCode.Usage;
  }
  let issuedBefore = Math.floor(Date.now() / 1000);
  if (before !== undefined) {
    const parsedBefore = /^\d+$/.test(before) ? Number(before) : Math.floor(Date.parse(before) / 1000);
    if (!Number.isFinite(parsedBefore)) {
      io.stderr.write(`--before must be ISO 8601 or epoch seconds\n\n${HELP}\n`);
      return ExitCode.Usage;
    }
    issuedBefore = parsedBefore;
  }
  const shared = await openSharedState(
    configPathFrom(parsed.values.config, io),
    io,
    'fedgate sessions revoke',
  );
  if (typeof shared === 'string') {
    io.stderr.write(`fedgate sessions revoke: ${shared}\n`);
    return ExitCode.Invalid;
  }
  const recordRevocation = (details: Record<string, string>): void =>
    shared.audit.record({
      event: 'session.revoked',
      outcome: 'success',
      details: { ...details, by: 'fedgate sessions revoke' },
    });
  try {
    return await revoke();
  } catch (error) {
    // Never a stack trace: say what is known to be done and how to finish (every step is idempotent).
    if (!(error instanceof FedgateError)) throw error;
    io.stderr.write(
      `fedgate sessions revoke: ${error.detail}${error.code === 'StoreUnavailable' ? ` (${shared.store.describe()})` : ''}\n` +
        'Run the same command again: it is safe to repeat, and it finishes what was not done.\n',
    );
    return ExitCode.Invalid;
  } finally {
    await shared.close();
  }

  async function revoke(): Promise<number> {
    if (shared === undefined || typeof shared === 'string') return ExitCode.Invalid;
    if (session !== undefined) {
      const revoked = await shared.sessions.revokeSession(session);
      // Sessions chained or exchanged from it are refused with it: each records its ancestors.
      if (revoked) recordRevocation({ session });
      io.stdout.write(
        revoked
          ? `session ${session} revoked\n`
          : `session ${session} not found (already expired or revoked)\n`,
      );
      return revoked ? ExitCode.Ok : ExitCode.Invalid;
    }
    if (role !== undefined) {
      const before = new Date(issuedBefore * 1000).toISOString();
      let lastReport = 0;
      const summary = await shared.sessions.revokeRole(role, issuedBefore, {
        onProgress: (progress) => {
          if (lastReport === 0) {
            // The marker and the notice went out before the first batch: refusal does not wait for clean-up.
            io.stdout.write(
              `sessions of role ${role} issued before ${before} are refused by every instance\n`,
            );
            recordRevocation({ role, issuedBefore: before });
          }
          const at = Date.now();
          if (at - lastReport < PROGRESS_INTERVAL_MS) return;
          lastReport = at;
          io.stderr.write(
            `clean-up: ${progress.examined} examined, ${progress.deleted} records deleted so far\n`,
          );
        },
      });
      if (lastReport === 0) recordRevocation({ role, issuedBefore: before });
      io.stdout.write(
        `sessions of role ${role} issued before ${before} revoked; ${summary.deleted} records deleted\n`,
      );
      return ExitCode.Ok;
    }
    await shared.sessions.revokeSubject(subject ?? '', provider);
    recordRevocation({ subject: subject ?? '', ...(provider === undefined ? {} : { provider }) });
    io.stdout.write(
      `sessions of subject ${subject ?? ''}${provider === undefined ? '' : ` (${provider})`} revoked\n`,
    );
    return ExitCode.Ok;
  }
};
