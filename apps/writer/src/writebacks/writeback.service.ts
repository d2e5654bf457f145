import { Inject, Injectable } from '@nestjs/common';
import {
  causedBy,
  CLOCK,
  deterministicId,
  EventStore,
  Outcome,
  PortalRepository,
  StreamIds,
  TOPICS,
  type Clock,
  type HandlerOutcome,
  type PlatformEvent,
  type TopicNames,
} from '@app/common';
import { HubSpotWriter } from './hubspot-writer';

/** The id of a command's result event: at most one result per command, ever. */
export function writebackResultId(commandId: string): string {
  return deterministicId('writeback-result', commandId);
}

/**
 * Applies a WritebackRequested command once: a command whose result is already
 * recorded is not sent to HubSpot again (redelivery, restart or redrive). Every
 * outcome, including HubSpot's answer, is appended to the object's stream and
 * published to the results topic.
 */
@Injectable()
export class WritebackService {
  constructor(
    private readonly eventStore: EventStore,
    private readonly portals: PortalRepository,
    private readonly writer: HubSpotWriter,
    @Inject(TOPICS) private readonly topics: TopicNames,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async handle(request: PlatformEvent<'WritebackRequested'>): Promise<HandlerOutcome> {
    const command = request.data;
    const resultId = writebackResultId(command.commandId);
    if (await this.eventStore.findById(resultId)) return Outcome.done();

    const token = await this.portals.accessToken(request.portalId);
    if (!token) return Outcome.deadLetter(`portal ${request.portalId} is not registered`);

    const result = await this.writer.apply(token, command);
    const streamId = StreamIds.crmObject(request.portalId, command.objectType, command.objectId);
    const now = this.clock();
    if (result.kind === 'written') {
      await this.record(streamId, causedBy(request, {
        type: 'WritebackApplied', portalId: request.portalId, id: resultId,
        data: { commandId: command.commandId, hubspotStatus: result.status, recordsWritten: result.recordsWritten, response: result.response, rateLimit: result.rateLimit },
      }, now) satisfies PlatformEvent<'WritebackApplied'>);
      return Outcome.done();
    }

    const failure = result.failure;
    switch (failure.kind) {
      case 'retry':
        return Outcome.retry(failure.reason, failure.retryAfterMs);
      case 'not-found':
        await this.record(streamId, causedBy(request, {
          type: 'WritebackSkipped', portalId: request.portalId, id: resultId,
          data: { commandId: command.commandId, hubspotStatus: result.status ?? 404, reason: `object deleted or merged: ${failure.reason}` },
        }, now) satisfies PlatformEvent<'WritebackSkipped'>);
        return Outcome.done();
      case 'rejected':
        await this.record(streamId, causedBy(request, {
          type: 'WritebackFailed', portalId: request.portalId, id: resultId,
          data: { commandId: command.commandId, hubspotStatus: result.status, message: failure.reason, retriable: false },
        }, now) satisfies PlatformEvent<'WritebackFailed'>);
        return Outcome.done();
      case 'unauthorized':
        // Not recorded as a result: once the token is fixed, a redrive applies it.
        return Outcome.deadLetter(failure.reason);
    }
  }

  private async record(streamId: string, event: PlatformEvent): Promise<void> {
    await this.eventStore.append({ streamId, events: [event], publishTo: this.topics.writebackResults });
  }
}
