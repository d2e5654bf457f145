import { Inject, Injectable } from '@nestjs/common';
import { BackfillRepository, CLOCK, EventStore, Outcome, StreamIds, triggerSkipped, type Clock, type HandlerOutcome, type PlatformEvent } from '@app/common';
import { capabilityNamed } from '../capabilities/capability-registry';
import { DecisionFlow } from '../decisions/decision-flow';

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
    const capability = capabilityNamed(name);
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
