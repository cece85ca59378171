/** One readiness check: resolves when healthy, rejects (or returns false) otherwise. */
export type ReadinessCheck = () => Promise<boolean>;

/** Runs every readiness check with a timeout; the result names the failing ones. */
export async function checkReadiness(
  checks: Readonly<Record<string, ReadinessCheck>>,
  timeoutMs = 1000,
): Promise<{ ready: boolean; checks: Record<string, 'ok' | 'failed'> }> {
  const names = Object.keys(checks);
  const results = await Promise.all(
    names.map(async (name) => {
      const check = checks[name];
      if (check === undefined) return false;
      let timer: NodeJS.Timeout | undefined;
      try {
        return await Promise.race([
          check(),
          new Promise<boolean>((resolve) => {
            timer = setTimeout(() => resolve(false), timeoutMs);
          }),
        ]);
      } catch {
        return false;
      } finally {
        if (timer) clearTimeout(timer);
      }
    }),
  );
  const summary: Record<string, 'ok' | 'failed'> = {};
  names.forEach((name, i) => (summary[name] = results[i] ? 'ok' : 'failed'));
  return { ready: results.every(Boolean), checks: summary };
}
