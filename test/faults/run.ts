/**
 * npm run test:faults — the fault suite: every scenario of scenarios.ts under a
 * steady load of signed webhooks for many portals, on the real Kafka and Postgres,
 * printing one table (Markdown, for README). Exits 1 when a scenario fails.
 *
 * The broker is a dedicated one (scripts/kafka.sh on FAULTS_KAFKA_PORT, default
 * 19192, its own data dir) and so is Postgres (a throwaway cluster, as root: see
 * test/support/throwaway-postgres.ts), so stopping them disturbs nothing else.
 * Needs `npm run build`.
 *
 *   FAULTS_PORTALS (20)  FAULTS_RATE (10 contacts/s)  FAULTS_ONLY (a substring of scenario names)
 *   FAULTS_KAFKA_BROKERS (use this broker instead; the broker scenario is then left out)
 *   FAULTS_POSTGRES_URL (use this server, e.g. postgres://postgres@127.0.0.1:5432; a restart is then every connection cut)
 */
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { FaultRig } from './fault-rig';
import { fullSuite, resultTable, runScenario, type ScenarioResult } from './scenarios';

const PORTALS = Number(process.env.FAULTS_PORTALS ?? 20);
const RATE = Number(process.env.FAULTS_RATE ?? 10);
const ONLY = process.env.FAULTS_ONLY;
const KAFKA_PORT = Number(process.env.FAULTS_KAFKA_PORT ?? 19192);
/** A broker to use instead of the dedicated one (then the broker scenario is left out). */
const SHARED_BROKERS = process.env.FAULTS_KAFKA_BROKERS;

async function main(): Promise<void> {
  const logDir = join(tmpdir(), `hubspot-ai-faults-${Date.now()}`);
  const rig = new FaultRig({
    portals: PORTALS,
    ratePerSecond: RATE,
    // A cluster of the suite's own, really restarted; FAULTS_POSTGRES_URL: a shared server instead (a restart is then every connection cut).
    postgres: process.env.FAULTS_POSTGRES_URL ? { serverUrl: process.env.FAULTS_POSTGRES_URL } : { dedicated: true },
    broker: SHARED_BROKERS
      ? { brokers: SHARED_BROKERS.split(',') }
      : { dedicated: { port: KAFKA_PORT, controllerPort: KAFKA_PORT + 1, dataDir: join(process.env.HOME ?? tmpdir(), '.cache', 'hubspot-ai', 'kafka-faults') } },
    logDir,
  });
  const scenarios = fullSuite().filter((s) => (!ONLY || s.name.includes(ONLY)) && !(SHARED_BROKERS && s.needsDedicatedBroker));
  console.log(`fault suite: ${scenarios.length} scenarios, ${PORTALS} portals, ${RATE} new contacts/s; service logs in ${logDir}`);
  const results: ScenarioResult[] = [];
  const started = Date.now();
  // Interrupted (Ctrl-C): stop the services, the suite's broker and its Postgres cluster before leaving.
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      console.log(`\n${signal}: stopping the suite's services, broker and Postgres`);
      void rig.close().finally(() => process.exit(130));
    });
  }
  await rig.start();
  try {
    for (const scenario of scenarios) {
      const result = await runScenario(rig, scenario, { warmMs: 5_000, afterMs: 10_000, drainMs: 90_000 });
      results.push(result);
      console.log(`  ${result.pass ? 'pass' : 'FAIL'}  ${scenario.name}: ${result.writtenBack}/${result.acknowledged} written back, recovery ${result.recoveryMs ?? '–'} ms${result.failures.length ? ` (${result.failures.join('; ')})` : ''}`);
    }
  } finally {
    await rig.close();
  }
  console.log(`\n${new Date().toISOString().slice(0, 10)}, ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, Node ${process.version}, ${PORTALS} portals, ${RATE} contacts/s, ${((Date.now() - started) / 60_000).toFixed(1)} min\n`);
  console.log(resultTable(results));
  if (results.some((r) => !r.pass)) process.exit(1);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
