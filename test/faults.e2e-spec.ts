import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FaultRig } from './faults/fault-rig';
import { killScenario, resultTable, runScenario } from './faults/scenarios';
import { POSTGRES_URL } from './support/database';
import { KAFKA_BROKERS } from './support/kafka';

/**
 * The fault suite's short version (the full one: npm run test:faults): the two
 * consumers killed with SIGKILL under a steady load of signed webhooks for six
 * portals, each restarted at once. Nothing acknowledged may be lost or written
 * twice, no portal's record touched with another's token, and processing must
 * resume within 10 s of the restart.
 */
describe('fault suite (short): kill -9 of the consumers under load', () => {
  const rig = new FaultRig({
    portals: 6,
    ratePerSecond: 6,
    postgres: { serverUrl: POSTGRES_URL },
    broker: { brokers: KAFKA_BROKERS },
    logDir: join(tmpdir(), `hubspot-ai-faults-e2e-${Date.now()}`),
  });

  beforeAll(() => rig.start(), 120_000);
  afterAll(() => rig.close(), 60_000);

  it.each(['writer', 'enricher'] as const)(
    'kill -9 of the %s: 0 lost, 0 duplicates, 0 cross-portal writes, resumed within 10 s of the restart',
    async (service) => {
      const result = await runScenario(rig, killScenario(service), { warmMs: 4_000, afterMs: 8_000, drainMs: 60_000 });
      if (!result.pass) console.log(resultTable([result]));
      expect(result.acknowledged).toBeGreaterThan(0);
      expect(result.acknowledged).toBe(result.created);
      expect({ lost: result.lost, duplicates: result.duplicates, crossPortal: result.crossPortal, hubspot429: result.hubspot429 }).toEqual({ lost: 0, duplicates: 0, crossPortal: 0, hubspot429: 0 });
      expect(result.writtenBack).toBe(result.acknowledged);
      expect(result.recoveryMs).not.toBeNull();
      expect(result.failures).toEqual([]);
    },
    180_000,
  );
});
