/**
 * The fault suite's scenarios (issue 17, part 5) and how one is run and judged:
 * under the rig's steady load, warm up, inject the fault, undo it (restart, start,
 * restore), keep the load on, stop it, drain, then read the figures from the
 * sandbox and the event store.
 *
 * Pass = 0 lost, 0 duplicates, 0 cross-portal writes, the platform's own 429s 0,
 * recovered within the scenario's time, and the scenario's own check (a SIGTERM
 * exits 0; ingest answers 503 while Postgres is gone).
 */
import { sleep } from '@app/common';
import { FAULT_SERVICES, type FaultRig, type FaultService, type ScenarioFigures } from './fault-rig';

export interface FaultWindow {
  /** When the fault began and when it was undone (the restart; recovery is measured from here). */
  faultAt: number;
  recoveredFrom: number;
  /** A scenario-specific check and what it saw. */
  check?: { ok: boolean; detail: string };
  /** The one portal the fault hit: recovery is measured on it, and the others must not have been held up. */
  portalId?: number;
}

/** While one portal's HubSpot storms, another portal's contact is written back within this long. */
const OTHERS_WITHIN_MS = 10_000;

export interface Scenario {
  name: string;
  /** Recovery target, ms from the end of the fault to the first contact of the fault's time written back. */
  recoverWithinMs: number;
  /** Needs a broker the rig may stop (the full suite's dedicated one). */
  needsDedicatedBroker?: boolean;
  inject(rig: FaultRig): Promise<FaultWindow>;
}

export interface ScenarioResult extends ScenarioFigures {
  name: string;
  recoverWithinMs: number;
  check?: FaultWindow['check'];
  pass: boolean;
  failures: string[];
}

/** Recovery after kill -9 of a consumer, measured from the restart (issue 17: at most 10 s). */
const KILL_RECOVERY_MS = 10_000;

export function killScenario(service: FaultService): Scenario {
  return {
    // Ingest's process serves the admin API too (its second listener): killing it kills the admin.
    name: service === 'ingest' ? 'kill -9 ingest (and admin)' : `kill -9 ${service}`,
    recoverWithinMs: KILL_RECOVERY_MS,
    async inject(rig) {
      const faultAt = Date.now();
      await rig.stop(service, 'SIGKILL');
      const recoveredFrom = Date.now();
      rig.spawn(service);
      const readyMs = await rig.waitReady(service);
      return { faultAt, recoveredFrom, check: { ok: readyMs <= KILL_RECOVERY_MS, detail: `ready ${(readyMs / 1000).toFixed(1)} s after the restart` } };
    },
  };
}

export function sigtermScenario(service: FaultService): Scenario {
  return {
    name: `SIGTERM ${service}`,
    recoverWithinMs: KILL_RECOVERY_MS,
    async inject(rig) {
      const faultAt = Date.now();
      const { code, ms } = await rig.stop(service, 'SIGTERM');
      const recoveredFrom = Date.now();
      rig.spawn(service);
      const readyMs = await rig.waitReady(service);
      return { faultAt, recoveredFrom, check: { ok: code === 0 && readyMs <= KILL_RECOVERY_MS, detail: `exit ${code ?? 'by signal'} after ${ms} ms; ready ${(readyMs / 1000).toFixed(1)} s after the restart` } };
    },
  };
}

export function brokerStopScenario(downMs = 30_000): Scenario {
  return {
    name: `Kafka broker stopped ${downMs / 1000} s`,
    recoverWithinMs: 15_000,
    needsDedicatedBroker: true,
    async inject(rig) {
      const faultAt = Date.now();
      rig.kafkaScript('stop');
      await sleep(Math.max(0, faultAt + downMs - Date.now()));
      rig.kafkaScript('start');
      return { faultAt, recoveredFrom: Date.now() };
    },
  };
}

export function postgresRestartScenario(downMs = 5_000): Scenario {
  return {
    name: `Postgres down ${downMs / 1000} s`,
    recoverWithinMs: 15_000,
    async inject(rig) {
      const since = Date.now();
      const faultAt = Date.now();
      await rig.restartPostgres(downMs);
      const refused = rig.hubspot.webhookDeliveries().filter((d) => d.sentAt >= since && d.status === 503).length;
      return { faultAt, recoveredFrom: Date.now(), check: { ok: refused > 0, detail: `Postgres ${rig.postgresRestartKind}; ingest answered 503 to ${refused} deliveries meanwhile` } };
    },
  };
}

/**
 * HubSpot answers `status` to every call of one portal for `forMs`. A 429 is a
 * rate limit to wait out (nothing is dead-lettered); a 502 is a failure, whose
 * messages use up their attempts and are dead-lettered, then redriven after.
 */
export function hubspotStormScenario(status: 429 | 502, forMs = 20_000): Scenario {
  return {
    name: `HubSpot ${status} for ${forMs / 1000} s, one portal`,
    recoverWithinMs: 15_000,
    async inject(rig) {
      const portalId = rig.portalIds[0]!;
      const faultAt = Date.now();
      const headers = status === 429 ? { 'x-hubspot-ratelimit-interval-milliseconds': '10000' } : undefined;
      const body = status === 429 ? { status: 'error', message: 'You have reached your ten_secondly_rolling limit.', errorType: 'RATE_LIMIT', correlationId: '00000000-0000-0000-0000-000000000000', policyName: 'TEN_SECONDLY_ROLLING' } : undefined;
      rig.hubspot.injectFaults(portalId, [{ status, forMs, ...(headers ? { headers } : {}), ...(body ? { body } : {}) }]);
      await sleep(forMs);
      const served = rig.hubspot.requests().filter((r) => r.time >= faultAt && r.portalId === portalId && r.outcome === 'fault').length;
      return { faultAt, recoveredFrom: Date.now(), portalId, check: { ok: served > 0, detail: `${served} calls of portal ${portalId} answered ${status}` } };
    },
  };
}

type ModelFault = '529' | 'dropped connection' | 'invalid tool input';

/** Anthropic answers the next `count` model calls with a fault. */
export function anthropicScenario(fault: ModelFault, count = 15): Scenario {
  return {
    name: `Anthropic ${fault} ×${count}`,
    recoverWithinMs: 15_000,
    async inject(rig) {
      const faultAt = Date.now();
      const one =
        fault === '529'
          ? { status: 529 }
          : fault === 'dropped connection'
            ? { drop: true as const }
            : { content: [{ type: 'tool_use', name: 'record_lead_assessment', input: { score: 'very high', persona: 'astronaut' } }], stop_reason: 'tool_use' };
      rig.claude.enqueue(Array.from({ length: count }, () => one));
      const deadline = Date.now() + 60_000;
      while (rig.claude.pending() > 0 && Date.now() < deadline) await sleep(100);
      return { faultAt, recoveredFrom: Date.now(), check: { ok: rig.claude.pending() === 0, detail: `${count - rig.claude.pending()} of ${count} faults served` } };
    },
  };
}

export function fullSuite(): Scenario[] {
  return [
    ...FAULT_SERVICES.map(killScenario),
    brokerStopScenario(),
    postgresRestartScenario(),
    hubspotStormScenario(429),
    hubspotStormScenario(502),
    anthropicScenario('529'),
    anthropicScenario('dropped connection'),
    anthropicScenario('invalid tool input'),
    ...FAULT_SERVICES.map(sigtermScenario),
  ];
}

export interface RunOptions {
  warmMs: number;
  afterMs: number;
  drainMs: number;
}

export async function runScenario(rig: FaultRig, scenario: Scenario, options: RunOptions): Promise<ScenarioResult> {
  const since = Date.now();
  rig.startLoad(scenario.name);
  await sleep(options.warmMs);
  const window = await scenario.inject(rig);
  await sleep(options.afterMs);
  rig.stopLoad();
  await rig.drain(scenario.name, options.drainMs);
  // What failed for good landed in a dead-letter topic: redriven once the fault is over, it must complete.
  const deadLettered = await rig.redriveDeadLetters(since);
  if (deadLettered > 0) await rig.drain(scenario.name, options.drainMs);
  const figures = await rig.measure(scenario.name, since, window.faultAt, window.recoveredFrom, deadLettered, window.portalId);
  const failures: string[] = [];
  if (window.portalId !== undefined) {
    const slowest = rig.slowestElsewhere(scenario.name, window.portalId, window.faultAt, window.recoveredFrom);
    const detail = `other portals written back within ${slowest === null ? '–' : `${(slowest / 1000).toFixed(1)} s`}`;
    window.check = { ok: (window.check?.ok ?? true) && slowest !== null && slowest <= OTHERS_WITHIN_MS, detail: [window.check?.detail, detail].filter(Boolean).join('; ') };
  }
  if (figures.lost > 0) failures.push(`${figures.lost} lost`);
  if (figures.duplicates > 0) failures.push(`${figures.duplicates} duplicates`);
  if (figures.crossPortal > 0) failures.push(`${figures.crossPortal} cross-portal writes`);
  if (figures.hubspot429 > 0) failures.push(`${figures.hubspot429} HubSpot 429s caused by the platform`);
  if (figures.recoveryMs === null) failures.push('never recovered');
  else if (figures.recoveryMs > scenario.recoverWithinMs) failures.push(`recovered in ${figures.recoveryMs} ms (target ${scenario.recoverWithinMs} ms)`);
  if (window.check && !window.check.ok) failures.push(window.check.detail);
  return { name: scenario.name, recoverWithinMs: scenario.recoverWithinMs, ...figures, ...(window.check ? { check: window.check } : {}), pass: failures.length === 0, failures };
}

/** One Markdown table: a row per scenario. */
export function resultTable(results: ScenarioResult[]): string {
  const head = '| Scenario | Acknowledged | Recorded | Decided | Written back | Dead-lettered, redriven | Duplicates | Lost | Cross-portal | Resumed after (target) | Backlog cleared after | Check | Result |';
  const rule = '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|';
  const rows = results.map((r) => {
    const recovery = r.recoveryMs === null ? '–' : `${(r.recoveryMs / 1000).toFixed(1)} s`;
    const backlog = r.backlogClearedMs === null ? '–' : `${(r.backlogClearedMs / 1000).toFixed(1)} s`;
    return `| ${r.name} | ${r.acknowledged}/${r.created} | ${r.recorded} | ${r.decided} | ${r.writtenBack} | ${r.deadLettered} | ${r.duplicates} | ${r.lost} | ${r.crossPortal} | ${recovery} (≤ ${r.recoverWithinMs / 1000} s) | ${backlog} | ${r.check?.detail ?? ''} | ${r.pass ? 'pass' : `FAIL: ${r.failures.join('; ')}`} |`;
  });
  return [head, rule, ...rows].join('\n');
}
