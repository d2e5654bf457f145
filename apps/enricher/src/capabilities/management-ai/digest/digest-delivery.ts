import { Injectable } from '@nestjs/common';
import { deterministicId, Logger, recordSubject, type DigestDeliveryRecord, type Portal, type PipelineDigests, type WritebackCommand } from '@app/common';
import { renderLeadershipDigest, renderOwnerDigest } from './digest-html';

/** What a channel is given: the portal, the day's digests, and whose personal data each deal's text holds. */
export interface DigestDeliveryInput {
  portal: Portal;
  date: string;
  /** The PipelineDigestComposed's id: what the commands say they come from (their `decisionId`). */
  digestEventId: string;
  digests: PipelineDigests;
  now: Date;
  /** The data subjects the text of these deals holds (for sealing the commands that quote it). */
  subjectsOf(dealIds: readonly string[]): string[];
}

/** A HubSpot writeback a channel asks for, with whose personal data it quotes. */
export interface DigestWriteback {
  command: WritebackCommand;
  subjects: string[];
}

/**
 * What a channel did or asks for: a record per digest, and the writebacks to append
 * with the digest's event (published to the writebacks topic in the same transaction,
 * so a digest recorded is a digest asked for, and a redelivered request asks for
 * nothing twice).
 */
export interface DigestDeliveryPlan {
  records: DigestDeliveryRecord[];
  writebacks: DigestWriteback[];
}

/**
 * One way a digest reaches people. A channel is called once per portal and day,
 * before the digest is recorded: one with an outside effect (an email, Slack) must
 * make it idempotent by `digestEventId`, or go through the outbox as the HubSpot
 * channel does, since a failed append means the request comes again.
 */
export interface DigestDelivery {
  readonly channel: string;
  deliver(input: DigestDeliveryInput): DigestDeliveryPlan | Promise<DigestDeliveryPlan>;
}

/** The channels the digests go through (a Nest provider: a list of DigestDelivery). */
export const DIGEST_DELIVERIES = Symbol('DIGEST_DELIVERIES');

/**
 * Digests as HubSpot tasks: one assigned to each owner, one to the manager named in
 * settings.managementAi.managerOwnerId. A task HubSpot would take without an
 * association, but the writer finds a create whose answer was lost only through the
 * record it is associated with (docs/decisions/0018), and records its outcome on that
 * record's stream: so each task is associated with one deal, the owner's with their
 * deal most needing attention (the review's first), the leadership one with the deal
 * most at risk, else the first flagged deal. A leadership digest with no deal to hang
 * on, or no manager, is recorded and not delivered, and says why.
 */
@Injectable()
export class HubSpotTaskDelivery implements DigestDelivery {
  readonly channel = 'hubspot-task';

  deliver({ portal, date, digestEventId, digests, now, subjectsOf }: DigestDeliveryInput): DigestDeliveryPlan {
    const records: DigestDeliveryRecord[] = [];
    const writebacks: DigestWriteback[] = [];
    const task = (kind: string, ownerId: string, dealId: string, rendered: { subject: string; body: string }, high: boolean): WritebackCommand => ({
      commandId: deterministicId('digest-task', portal.portalId, date, kind, ownerId),
      decisionId: digestEventId,
      objectType: 'deals',
      objectId: dealId,
      kind: 'create-task',
      subject: rendered.subject,
      body: rendered.body,
      // Due the day it is composed: the digest is today's reading.
      dueAt: now.toISOString(),
      priority: high ? 'HIGH' : 'MEDIUM',
      taskType: 'TODO',
      ownerId,
    });

    for (const owner of digests.owners) {
      const top = owner.deals[0]!;
      const atRisk = owner.deals.some((d) => d.assessment.kind === 'assessed' && d.assessment.attention);
      const command = task('owner', owner.ownerId, top.dealId, renderOwnerDigest(owner, date), atRisk);
      writebacks.push({ command, subjects: withDeal(subjectsOf(owner.deals.map((d) => d.dealId)), top.dealId) });
      records.push({ channel: this.channel, digest: { kind: 'owner', ownerId: owner.ownerId }, kind: 'requested', commandId: command.commandId, associatedDealId: top.dealId });
    }

    const leadership = digests.leadership;
    const target = { kind: 'leadership' as const, managerOwnerId: leadership.managerOwnerId };
    const hangOn = leadership.atRisk.deals[0] ?? leadership.unowned[0] ?? digests.owners[0]?.deals[0];
    if (leadership.managerOwnerId === null) {
      records.push({ channel: this.channel, digest: target, kind: 'not-delivered', reason: 'no manager to send it to: set settings.managementAi.managerOwnerId' });
    } else if (!hangOn) {
      records.push({ channel: this.channel, digest: target, kind: 'not-delivered', reason: 'no deal needs attention, so there is no deal to associate the task with (the writer finds a lost create through its record)' });
    } else {
      const quoted = [...leadership.atRisk.deals, ...leadership.unowned, ...leadership.closingThisWeek.needingAttention, ...(leadership.changes.kind === 'compared' ? leadership.changes.newlyNeedingAttention : [])];
      const command = task('leadership', leadership.managerOwnerId, hangOn.dealId, renderLeadershipDigest(leadership, date), leadership.atRisk.deals.length > 0);
      writebacks.push({ command, subjects: withDeal(subjectsOf(quoted.map((d) => d.dealId)), hangOn.dealId) });
      records.push({ channel: this.channel, digest: target, kind: 'requested', commandId: command.commandId, associatedDealId: hangOn.dealId });
    }
    return { records, writebacks };
  }
}

/** The deal a task goes on is always among its subjects: the writer records the task's outcome on that deal's stream. */
function withDeal(subjects: string[], dealId: string): string[] {
  const deal = recordSubject('deals', dealId);
  return subjects.includes(deal) ? subjects : [...subjects, deal];
}

/**
 * The second channel's example: a log line per digest with its counts, never its text
 * (logs are not sealed, and the next steps quote people). Asks for no writeback.
 */
@Injectable()
export class LogDigestDelivery implements DigestDelivery {
  readonly channel = 'log';
  private readonly log: Logger;

  constructor(logger: Logger) {
    this.log = logger.child({ component: 'digest-log' });
  }

  deliver({ portal, date, digests }: DigestDeliveryInput): DigestDeliveryPlan {
    const records: DigestDeliveryRecord[] = [];
    for (const owner of digests.owners) {
      this.log.info('owner digest', { portalId: portal.portalId, date, ownerId: owner.ownerId, deals: owner.deals.length });
      records.push({ channel: this.channel, digest: { kind: 'owner', ownerId: owner.ownerId }, kind: 'done', detail: `${owner.deals.length} deals logged as a count` });
    }
    const { leadership } = digests;
    this.log.info('leadership digest', { portalId: portal.portalId, date, openDeals: leadership.counts.openDeals, needingAttention: leadership.counts.needingAttention, atRisk: leadership.atRisk.deals.length, unowned: leadership.unowned.length });
    records.push({ channel: this.channel, digest: { kind: 'leadership', managerOwnerId: leadership.managerOwnerId }, kind: 'done', detail: 'counts logged' });
    return { records, writebacks: [] };
  }
}
