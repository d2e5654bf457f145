import { Inject, Injectable } from '@nestjs/common';
import { BackfillRepository, CLOCK, EventStore, Outcome, StreamIds, type CapabilityName, type Clock, type HandlerOutcome, type PlatformEvent } from '@app/common';
import { DecisionFlow, type Capability } from '../decisions/decision-flow';
import { LEAD_AI } from '../lead-ai/lead-ai.capability';
import { SERVICE_AI } from '../service-ai/service-ai.capability';
import { triggerSkipped } from '../triggers/trigger-skipped';

const CAPABILITIES: Readonly<Record<CapabilityName, Capability<object>>> = { 'lead-ai': LEAD_AI, 'service-ai': SERVICE_AI };

/**
 * A record a backfill listed goes through its capability's normal decision path
 * (reuse by input hash, caps, costs and replays apply as to any trigger); the
 * capability writes only its `ai_` properties for it. A record of a cancelled
 * backfill is skipped with the reason, and so is one the flow drops (its portal
 * paused): every record the backfill queued ends in its story, so its progress adds up.
 */
@Injectable()
export class BackfillTriggers {
  constructor(
    private readonly flow: DecisionFlow,
    private readonly backfills: BackfillRepository,
    private readonly eventStore: EventStore,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async route(trigger: PlatformEvent<'BackfillRecordListed'>): Promise<HandlerOutcome> {
    const { backfillId, capability: name, objectType, objectId } = trigger.data;
    const streamId = StreamIds.crmObject(trigger.portalId, objectType, objectId);
    const status = await this.backfills.status(backfillId);
    if (status === undefined) return this.skip(trigger, streamId, `backfill ${backfillId} is not registered`);
    if (status === 'cancelled') return this.skip(trigger, streamId, `backfill ${backfillId} was cancelled`);
    const capability = CAPABILITIES[name as CapabilityName] as Capability<object> | undefined;
    if (!capability || capability.objectType !== objectType) return this.skip(trigger, streamId, `${name} does not decide ${objectType}`);
    const outcome = await this.flow.run(capability, { trigger, triggerType: trigger.type, objectId });
    // Recorded once (the id derives from the trigger), also where the flow already recorded why.
    if (outcome.kind === 'drop') await this.eventStore.append({ streamId, events: [triggerSkipped(trigger, trigger.type, outcome.reason, this.clock())] });
    return outcome;
  }

  private async skip(trigger: PlatformEvent<'BackfillRecordListed'>, streamId: string, reason: string): Promise<HandlerOutcome> {
    await this.eventStore.append({ streamId, events: [triggerSkipped(trigger, trigger.type, reason, this.clock())] });
    return Outcome.drop(reason);
  }
}
