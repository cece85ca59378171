/**
 * What the activity record (issue 15) adds to one authorizer decision, measured directly: the time of
 * `resourceGroup` + `recordDecision` per decision, in-process (median of three rounds), and its share of one
 * decision's time on one event loop at the throughputs `bench/authorizer` measures for b1 (5,000-12,000 /s). A
 * wrk A/B of b1 against b1r on a noisy 2-core machine moves by ±10 % from run to run, more than the cost
 * itself; this isolates it. The store is the embedded one, flushed every 5 s as in production.
 *
 *   npx tsx bench/activity-record-cost.ts          (DECISIONS=2000000 by default)
 */
import { performance } from 'node:perf_hooks';
import { BufferedActivityRecorder } from '../src/access-analysis/index.js';
import { resourceGroup } from '../src/access-analysis/resource-group.js';
import { createMemoryStore } from '../src/store/index.js';

const DECISIONS = Number(process.env['DECISIONS'] ?? 2_000_000);
const TEMPLATE = 'arn:fedgate:orders:::order/${team}/${id}';
const TEAMS = ['red', 'blue', 'green', 'amber'];

const store = createMemoryStore();
const recorder = new BufferedActivityRecorder({
  store,
  retentionSeconds: 400 * 86_400,
  flushIntervalSeconds: 5,
  maxActionsPerRole: 500,
  maxResourcesPerAction: 200,
});

// Distinct parameters per decision, as real traffic has: the group keeps cardinality bounded.
const params = Array.from({ length: 10_000 }, (_, i) => ({
  team: TEAMS[i % TEAMS.length] ?? 'red',
  id: String(i),
}));

function run(count: number): number {
  const started = performance.now();
  const at = Date.now();
  for (let i = 0; i < count; i++) {
    const p = params[i % params.length] ?? { team: 'red', id: '0' };
    recorder.recordDecision(
      i % 3 === 0 ? 'Auditor' : 'Developer',
      i % 5 === 0 ? 'orders:DeleteOrder' : 'orders:GetOrder',
      resourceGroup(TEMPLATE, p),
      i % 7 !== 0,
      at + (i & 1023),
    );
  }
  return performance.now() - started;
}

run(200_000); // warm up
const rounds = [run(DECISIONS), run(DECISIONS), run(DECISIONS)].map((ms) => (ms * 1e6) / DECISIONS);
rounds.sort((a, b) => a - b);
const nsPerDecision = rounds[1] ?? NaN;
await recorder.close();
await store.close();

console.log(
  `activity record per decision (resourceGroup + recordDecision): median ${nsPerDecision.toFixed(0)} ns`,
);
console.log(`rounds: ${rounds.map((ns) => `${ns.toFixed(0)} ns`).join(' / ')}`);
for (const rps of [5_000, 8_000, 12_000]) {
  // On one event loop a decision at `rps` per second has at most 1e9 / rps ns of CPU.
  const budget = 1e9 / rps;
  console.log(
    `share of a decision at ${rps} /authz per second on one event loop: ${((nsPerDecision / budget) * 100).toFixed(2)} %`,
  );
}
