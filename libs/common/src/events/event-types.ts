import type { EventEnvelope } from './envelope';
import type { PortalSettings, PortalStatus } from '../portals/portal.entity';

/** CRM object types the platform reads and writes (HubSpot's plural API names). */
export const CRM_OBJECT_TYPES = ['contacts', 'companies', 'deals', 'tickets', 'notes', 'tasks', 'emails'] as const;
export type CrmObjectType = (typeof CRM_OBJECT_TYPES)[number];

/** One event of a HubSpot app webhook body, as HubSpot sent it (plus nothing). */
export interface HubSpotWebhookEvent {
  eventId: number;
  subscriptionId?: number;
  portalId: number;
  appId?: number;
  occurredAt: number;
  subscriptionType: string;
  attemptNumber?: number;
  objectId: number;
  changeSource?: string;
  changeFlag?: string;
  sourceId?: string;
  propertyName?: string;
  propertyValue?: string;
  [extra: string]: unknown;
}

export type WebhookIgnoredReason = 'portal-not-registered' | 'portal-not-active' | 'unsupported-subscription-type' | 'subscription-disabled' | 'own-change';

export interface RateLimitSnapshot {
  max?: number;
  remaining?: number;
  intervalMs?: number;
  daily?: number;
  dailyRemaining?: number;
}

export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  cacheReadInputTokens: number;
  /** Every cache write, whatever its TTL (the API's `cache_creation_input_tokens`). */
  cacheCreationInputTokens: number;
  /** The part of the cache writes made with the 1-hour TTL (priced at 2× input instead of 1.25×). */
  cacheCreation1hInputTokens?: number;
  /** The part of `outputTokens` the model spent thinking (billed as output; never written back). */
  thinkingTokens?: number;
}

/**
 * What a decision and a failed decision both record of the model call: what
 * triggered it, the prompt, who answered, what was sent, what it used and how long
 * it took. The cost report reads `usage` and `costUsd` of both.
 */
export interface ModelCallRecord {
  trigger: { eventId: string; type: string };
  prompt: { id: string; version: number; hash: string };
  provider: 'anthropic' | 'offline-rules';
  model: string;
  /** Exactly what was sent to the model (or to the offline scorer). */
  input: unknown;
  usage: TokenUsage;
  latencyMs: number;
}

/** Every event type and its payload: the contract between the services. */
export interface EventPayloads {
  WebhookEventReceived: { subscriptionType: string; objectType: CrmObjectType | null; objectId: string; hubspot: HubSpotWebhookEvent };
  WebhookEventIgnored: { reason: WebhookIgnoredReason; hubspot: HubSpotWebhookEvent };
  /** A burst of property changes of one object, coalesced: the AI runs once per burst. */
  ObjectChanged: {
    objectType: CrmObjectType;
    objectId: string;
    /** The latest value of each changed property (by HubSpot's occurredAt). */
    properties: Record<string, string | null>;
    sourceEventIds: string[];
    firstOccurredAt: string;
    lastOccurredAt: string;
  };
  /** A workflow "Send a webhook" action: the enrolled record as the object API returns it. */
  WorkflowWebhookReceived: {
    objectType: CrmObjectType;
    objectId: string;
    properties: Record<string, string | null>;
    authenticatedBy: 'signature-v2' | 'signature-v3' | 'api-key';
    raw: unknown;
  };
  WebhookEventRejected: { reason: string; raw: unknown };
  /**
   * A portal was registered (admin API, or an OAuth install). The first event of its
   * stream and of the `portals` projection: `status` and `settings` as they started
   * (absent on events recorded before the projection: active, {}).
   */
  PortalRegistered: { name: string; status?: PortalStatus; settings?: PortalSettings; via?: 'admin' | 'oauth-install' };
  /**
   * The portal's HubSpot connection was (re)established: how it is connected, what
   * HubSpot says the token may do, and which capabilities those scopes allow. Never
   * a token or a secret.
   */
  PortalConnected: PortalConnection & { reconnect: boolean };
  /** The portal's connection ended: the refresh token revoked at HubSpot (and the app uninstalled, when asked), the stored tokens erased. */
  PortalDisconnected: { requestedBy: string; revokedAtHubSpot: boolean; uninstalled: boolean; reason: string };
  /** An OAuth access token was refreshed (never the token): when the new one expires, why, and by which replica. */
  PortalTokenRefreshed: { expiresAt: string; reason: 'expiring' | 'unauthorized'; by: string };
  /** The token's scopes differ from the ones recorded: what was added and removed, and what the capabilities can do now. */
  PortalScopesChanged: { added: string[]; removed: string[]; scopes: string[]; capabilities: PortalConnection['capabilities'] };
  /**
   * The portal's row as it stood when the `portals` table became a projection of
   * the log (migration 1733817600000): the starting point a rebuild applies for a
   * portal registered before its every change was an event.
   */
  PortalStateImported: { name: string; status: PortalStatus; settings: Record<string, unknown>; alerts: Record<string, unknown>; createdAt: string };
  /** HubSpot's account details, read at onboarding (and again on a reconnect). */
  PortalAccountRead: PortalAccount;
  /** Settings changed through the admin API: each top-level setting (or `name`) with its value before and after (absent: unset). */
  PortalSettingsChanged: { changes: Array<{ path: string; before?: unknown; after?: unknown }>; requestedBy: string };
  PortalStatusChanged: { from: PortalStatus; to: PortalStatus; reason: string; requestedBy: string };
  /** Alerts an operator cleared (they said the causes are fixed). */
  PortalAlertsCleared: { alerts: PortalAlertKind[]; requestedBy: string };
  /**
   * An OAuth install came back and was refused (a forged, reused or expired state; a
   * code HubSpot refused; another portal than expected; required scopes missing):
   * nothing was registered or changed. On the stream of the portal it names (0: none).
   */
  PortalInstallRefused: { reason: string; code: 'state-invalid' | 'state-used' | 'state-expired' | 'denied' | 'code-refused' | 'portal-mismatch' | 'scopes-missing' | 'inspection-failed'; expectedPortalId: number | null; hubId: number | null };
  /** The capabilities' properties were checked (and created where missing) in the portal. */
  PropertiesBootstrapped: {
    capabilities: string[];
    results: PropertyBootstrapResult[];
    /** Why it ran: onboarding, an operator, a capability enabled. */
    trigger: 'onboarding' | 'admin' | 'capability-enabled';
  };
  /**
   * The portal's daily review is due: `date` is the portal's LOCAL date (the UTC date
   * on events recorded before reviews ran in local time), `dailyAt` its local time in
   * `timeZone`, `dueAt` the instant that was. `timeZoneFallback`: the zone the portal
   * named but the runtime does not know (UTC was used instead).
   */
  DailyReviewScheduled: { date: string; dailyAt: string; timeZone?: string; dueAt?: string; timeZoneFallback?: string };
  /**
   * The first step of a portal's daily pipeline review (Management AI), no model yet:
   * its open deals listed and each one's facts computed at `asOf` with the portal's
   * thresholds. One per portal and local `date` (a redelivered or repeated trigger
   * records nothing more), on StreamIds.review. `needingAttention` holds the deals
   * with at least one reason, most reasons first, at most REVIEW_DEALS_RECORDED of
   * them (`needingAttentionLeftOut`: how many more there were). `changedWhilePaging`:
   * deals moved while the review listed them; `truncated`: the portal has more open
   * deals than were listed. No deal names or free text (see personal-fields.ts).
   */
  PipelineReviewFactsComputed: PipelineReviewFacts;
  /**
   * The daily review asks Management AI to assess one open deal (on the review's
   * stream, or the company's for a company workflow; published to the triggers' topic;
   * the decision goes on the deal's stream): its facts changed since its last assessment
   * (`inputHash` differs), or it was never assessed. `review` names the review's
   * stream date and the instant its facts were computed at, which the assessment
   * counts days to; `reasons` are the review's (stale, close-date-passed, …).
   */
  DealReviewRequested: {
    review: { date: string; asOf: string; factsEventId: string };
    dealId: string;
    inputHash: string;
    reasons: string[];
    /**
     * Asked for by a workflow's "send a webhook" on the deal's company, not by the
     * daily review: `review` then names the workflow's trigger, the reasons are the
     * rules' at the trigger's time, and no input hash is remembered.
     */
    via?: { kind: 'company-workflow'; companyId: string };
  };
  /**
   * The daily review has asked for every assessment it needs: the digests come next
   * (published after the requests, with the same key, so a portal's requests are
   * handled first). On StreamIds.review.
   */
  PipelineDigestRequested: { date: string; factsEventId: string; requested: number; unchanged: number };
  /**
   * The day's digests of a portal's pipeline review (Management AI), composed from the
   * review's facts, the previous local date's facts and each flagged deal's latest
   * assessment: one per owner with deals needing attention, and one for leadership.
   * One per portal and local `date` (deterministic id), on StreamIds.review. The
   * digests quote the assessments' next steps and summaries, so they are sealed
   * (personal-fields.ts); `deliveries` says, per digest and channel, what was asked
   * for (a HubSpot task's command id) or why nothing was.
   */
  PipelineDigestComposed: PipelineDigests & {
    request: { eventId: string };
    date: string;
    timeZone: string;
    /** The instant the day's facts were computed at. */
    asOf: string;
    factsEventId: string;
    /** The previous local date's facts the changes are measured against; null: none was recorded. */
    previousFactsEventId: string | null;
    deliveries: DigestDeliveryRecord[];
  };
  /** `snapshot`: the record's properties and its related records' (`company.name`, `notes.1.hs_note_body`), real values, as read. */
  ContextFetched: {
    objectType: CrmObjectType;
    objectId: string;
    snapshot: Record<string, unknown>;
    hubspotStatus: number;
    rateLimit: RateLimitSnapshot;
    /** Each HubSpot call that built the context and its status. */
    reads?: Array<{ call: string; status: number }>;
  };
  DecisionMade: ModelCallRecord & {
    output: Record<string, unknown>;
    /** Estimated from Anthropic's list prices; null when no price is known (the offline scorer costs nothing). */
    costUsd?: number | null;
    /** Set when the decision was made without an AI model. */
    label?: string;
    /** The first answer and why it failed validation, when a repair attempt produced this one. */
    repairedFrom?: { output: unknown; problems: string[] };
    /**
     * Set when no model was called because an earlier decision had the same rendered
     * prompt (same input, same prompt version): its answer was reused (never pay twice).
     */
    reusedFrom?: { decisionId: string };
    /**
     * What a thinking model thought before it answered: its summaries (of
     * pseudonymised input) and the tokens it spent, billed as output. Kept for the
     * audit only: never part of the answer, never written back to HubSpot.
     */
    reasoning?: { thinkingTokens: number; summaries: string[]; redactedBlocks: number };
  };
  /**
   * The model answered (and was paid) but no decision came of it: the answer failed
   * validation again after the repair, ran out of tokens, or never called the tool.
   * The trigger is dead-lettered; this keeps what the model said and what it cost.
   * `input` is the first request.
   */
  DecisionFailed: ModelCallRecord & {
    reason: string;
    /** Every reply, in order, whole (text blocks included), with what was wrong with it. */
    answers: Array<{ raw: unknown; problems: string[]; /** The request, when it differs from the first (more room, a repair). */ input?: unknown }>;
    costUsd: number | null;
  };
  TriggerSkipped: { trigger: { eventId: string; type: string }; reason: string };
  WritebackRequested: WritebackCommand;
  /** `recordsWritten` counts the whole call; `callId` finds its HubSpotCallCompleted. */
  WritebackApplied: {
    commandId: string;
    hubspotStatus: number;
    recordsWritten: number;
    response: unknown;
    rateLimit: RateLimitSnapshot;
    callId?: string;
    hubspotCorrelationId?: string | null;
    /** A create found in HubSpot by its marker after its answer was lost, not from the create's own answer. */
    foundByReadBack?: boolean;
  };
  WritebackSkipped: { commandId: string; hubspotStatus: number | null; reason: string; callId?: string };
  WritebackFailed: { commandId: string; hubspotStatus: number | null; message: string; retriable: boolean; callId?: string };
  MessageDeadLettered: { topic: string; partition: number; offset: string; reason: string; originalEventId: string | null };
  /** An operator re-published dead letters of one portal and time range to their original topic. */
  DeadLettersRedriven: { deadLetterTopic: string; targetTopic: string; from: string; to: string; redriven: number; scanned: number; requestedBy: string };
  /** One HubSpot API call the writer made, against every command it carried. */
  HubSpotCallCompleted: HubSpotCallRecord;
  /**
   * The writer is about to send this create to HubSpot (appended before the call).
   * A create with this event and no result may exist in HubSpot: it is read back by
   * its marker before it is ever sent again (docs/decisions/0018).
   */
  HubSpotCreateSent: { commandId: string; callId: string; marker: string; engagement: 'notes' | 'tasks'; apiVersion: string };
  /** Something an operator must act on for a portal (token revoked, properties missing). */
  PortalAlertRaised: {
    alert: PortalAlertKind;
    /** The portal's AI was paused with it (an active portal only; absent on events recorded before this field). */
    pause?: boolean;
    message: string;
    hubspotStatus: number | null;
    commandId?: string;
    /** For a model's refusal: the model, the request setting the API named (when it named one) and the API's status. */
    model?: string;
    setting?: string | null;
    apiStatus?: number;
  };

  /**
   * An operator asked to ask a portal's past decisions of one prompt again with a
   * version of it, about the snapshots they saw (admin API). Starts the replay's
   * stream; its id is the replay's id and every later replay event's correlation id.
   */
  ReplayRequested: { promptId: string; promptVersion: number; from: string | null; to: string | null; limit: number; forceModelCall: boolean };
  /** The replay cannot run (an unknown prompt version, a disabled portal): nothing was asked. */
  ReplayRejected: { reason: string };
  /** One past decision asked again: the new answer, what it cost, and how it differs from the original's. */
  DecisionReplayed: EventPayloads['DecisionMade'] & {
    original: ReplayedOriginal;
    differences: FieldDifference[];
    /** Fields the replay's version declares that the original's did not read: the replay saw them as absent. */
    notReadThen?: string[];
  };
  /** One past decision asked again, and the answer was unusable (paid for, recorded whole). */
  DecisionReplayFailed: EventPayloads['DecisionFailed'] & { original: ReplayedOriginal };
  /** One past decision not asked again: its snapshot's personal data was erased (docs/decisions/0019). Nothing was sent or paid. */
  DecisionReplaySkipped: { original: Omit<ReplayedOriginal, 'output'>; reason: string };
  /** A chunk of the replay is done; the next starts after `cursor`. Totals so far. */
  ReplayProgressed: ReplayTotals & { cursor: string };
  ReplayCompleted: ReplayTotals;
  /** An operator asked to write the replay's changed answers to the CRM (all of them, or these original decision ids). */
  ReplayApplyRequested: { decisionIds: string[] | null };
  /** What applying wrote: one entry per replayed decision considered. */
  ReplayApplied: { applied: Array<{ decisionId: string; commandIds: string[] }>; skipped: Array<{ decisionId: string; reason: string }> };

  /**
   * A data subject's personal data was erased (docs/decisions/0019): its data keys
   * were destroyed, so every sealed part of every event about it is unreadable from
   * now on. Holds no personal data: the subject is a CRM record id.
   */
  SubjectErased: {
    /** `contacts:123`, `tickets:9`. */
    subject: string;
    objectType: CrmObjectType;
    objectId: string;
    reason: ErasureReason;
    /** Who asked: `hubspot` for a privacy-deletion webhook, `admin` for the admin API. */
    requestedBy: string;
    /** Data keys destroyed (one per UTC day the platform recorded personal data about the subject). */
    keysErased: number;
    /** The first and last UTC day of the erased data; null when there was none. */
    days: { first: string | null; last: string | null };
    /** Other stores the erasure cleared, e.g. an open coalescing window's property values. */
    alsoCleared: string[];
  };
  /**
   * An operator asked to score a portal's existing records (POST /admin/portals/:id/backfills).
   * Starts the backfill's stream; its id is the backfill's id and every later backfill
   * event's correlation id, and so the correlation id of everything its records cause
   * (docs/decisions/0021).
   */
  BackfillRequested: {
    backfillId: string;
    capability: string;
    objectType: CrmObjectType;
    /** Only records created at or after this instant; null: all. */
    since: string | null;
    /** Extra CRM search filters (HubSpot's filter shape), ANDed with the platform's. */
    filter: BackfillFilter[] | null;
    limit: number | null;
    /** The share of the portal's HubSpot budget the backfill may use (the rest stays for live traffic). */
    budgetShare: number;
    requestedBy: string;
  };
  /** One existing record a backfill listed: a trigger of the normal decision path, like a webhook. */
  BackfillRecordListed: { backfillId: string; capability: string; objectType: CrmObjectType; objectId: string };
  /**
   * A page of records was listed (and is being queued); totals so far and where the listing
   * goes on: `cursor` is the last hs_object_id listed, `expected` how many the listing
   * expects in all (HubSpot's total, capped by the limit).
   */
  BackfillProgressed: { listed: number; cursor: string | null; expected?: number | null };
  BackfillPaused: { requestedBy: string };
  BackfillResumed: { requestedBy: string };
  BackfillCancelled: { requestedBy: string };
  /** Every record was listed and queued (deciding and writing them go on through the normal path). */
  BackfillCompleted: { listed: number };
  /**
   * The backfill stopped on a failure an operator must look at (a missing scope, a token
   * HubSpot refuses, a filter it rejects); resumable once fixed. `missingScopes`: what a
   * 403 said the token lacks.
   */
  BackfillFailed: { reason: string; hubspotStatus: number | null; missingScopes?: string[] };
  /** A portal's personal data older than its retention period was erased (its data keys of those days destroyed). */
  PersonalDataExpired: { reason: 'retention' | 'offboarding'; retentionDays: number; before: string; keysErased: number };
  /** A portal was offboarded: its tokens were erased at once; its personal data goes after `erasePersonalDataAt`. */
  PortalOffboarded: { requestedBy: string; tokensErased: boolean; personalDataDays: number; erasePersonalDataAt: string };
}

/** The deals needing attention a PipelineReviewFactsComputed records at most (the rest are counted). */
export const REVIEW_DEALS_RECORDED = 500;

/** One open deal needing attention, as the review recorded it: ids, amount, stage and the facts behind its reasons. */
export interface ReviewedDeal {
  dealId: string;
  ownerId: string | null;
  amount: number | null;
  pipeline: string | null;
  stage: string | null;
  /** Why it needs attention (the enricher's AttentionReason: stale, close-date-passed, missing-amount, …). */
  reasons: string[];
  daysSinceLastActivity: number | null;
  activityLogged: boolean;
  daysInStage: number | null;
  /** The close date as an ISO instant (a HubSpot date is its midnight UTC); null: none. Absent on events recorded before the digest read it. */
  closeDate?: string | null;
  closeDatePassed: boolean;
  stageProbability: number | null;
}

/** Open deals and their known amounts in one pipeline stage (every open deal, not only those needing attention). */
export interface StageTotals {
  pipeline: string | null;
  stage: string | null;
  deals: number;
  /** The sum of the known amounts. */
  amount: number;
  withoutAmount: number;
}

export interface PipelineReviewFacts {
  trigger: { eventId: string; type: string };
  /** The portal's local date the review was scheduled for, in `timeZone` (UTC for triggers recorded before reviews ran in local time). */
  date: string;
  timeZone: string;
  /** The zone the portal named but the runtime did not know, when the scheduler fell back to UTC. */
  timeZoneFallback?: string;
  /** The instant the facts were computed at (days are counted to it). */
  asOf: string;
  thresholds: { staleAfterDays: number };
  /** An unusable `settings.review.staleAfterDays`, and the default used instead. */
  thresholdsProblem?: string;
  counts: {
    openDeals: number;
    needingAttention: number;
    /** Deals per reason (a deal with two reasons counts in both); every reason is present, zero included. */
    byReason: Record<string, number>;
    /**
     * Every open deal by pipeline and stage, for the leadership digest's pipeline against
     * its targets. Absent on events recorded before the digest.
     */
    byStage?: StageTotals[];
    /**
     * Open deals per close date (UTC calendar date, as HubSpot keeps a deal's date), for
     * the dates from the day before `asOf`'s UTC date to seven days after it: wide enough
     * that the digest can take the portal's local week in any time zone. Absent on events
     * recorded before the digest.
     */
    byCloseDate?: Record<string, { deals: number; amount: number }>;
  };
  changedWhilePaging: boolean;
  truncated: boolean;
  /** CRM searches the listing sent (each from the portal's search pool). */
  searchCalls: number;
  /**
   * Why the portal's deal pipelines could not be read (a missing scope, a refused call), when
   * the review ran without them: no deal could be told 'unknown-stage', and probabilities are
   * the deals' own hs_deal_stage_probability.
   */
  pipelinesUnread?: string;
  needingAttention: ReviewedDeal[];
  needingAttentionLeftOut: number;
  /**
   * The assessments the review asked for (one DealReviewRequested each) and the deals
   * it did not ask again because nothing they rest on changed since their last one.
   */
  assessments?: { requested: number; unchanged: number };
}

/**
 * A flagged deal's latest assessment as a digest shows it: `pending` when the deal has
 * no deal-health decision yet. `text` says where the next step and summary came from:
 * the writeback that put them on the deal (real names restored), the decision itself
 * (no placeholders in it), or nowhere (`placeholders`: only the pseudonymised answer
 * was found, which is not shown). An assessment whose data was erased reads as pending.
 */
export type DigestAssessment =
  | {
      kind: 'assessed';
      decisionId: string;
      assessedAt: string;
      healthScore: number;
      stallReason: string;
      attention: boolean;
      nextStep: string | null;
      summary: string | null;
      text: 'writeback' | 'decision' | 'placeholders';
    }
  | { kind: 'pending' };

/** One deal in a digest: the review's facts of it, its HubSpot link and its latest assessment. No deal name. */
export interface DigestDeal {
  dealId: string;
  ownerId: string | null;
  amount: number | null;
  pipeline: string | null;
  stage: string | null;
  closeDate: string | null;
  reasons: string[];
  url: string;
  assessment: DigestAssessment;
}

/** One owner's digest: their deals needing attention today, in the review's order (most reasons, then largest amount). */
export interface OwnerDigest {
  ownerId: string;
  deals: DigestDeal[];
  /** The sum of their known amounts. */
  amount: number;
}

/** One pipeline's open deals against the portal's target for it (settings.managementAi.pipelineTargets). */
export interface PipelineStanding {
  pipeline: string | null;
  /** null: the portal set no target for it. */
  target: number | null;
  deals: number;
  amount: number;
  withoutAmount: number;
  /** amount ÷ target; null without a (non-zero) target. */
  ofTarget: number | null;
  stages: StageTotals[];
}

/** What changed since the previous local date's review. */
export type DigestChanges =
  | { kind: 'no-previous-review'; previousDate: string }
  | {
      kind: 'compared';
      previousDate: string;
      newlyNeedingAttention: DigestDeal[];
      /** Deals flagged the day before and not today (closed, won, lost or fixed). */
      noLongerNeedingAttention: Array<Pick<DigestDeal, 'dealId' | 'ownerId' | 'amount' | 'url'>>;
      openDeals: { before: number; after: number; delta: number };
      needingAttention: { before: number; after: number; delta: number };
      /** One of the two days recorded only part of its flagged deals (REVIEW_DEALS_RECORDED): the lists may be incomplete. */
      partial: boolean;
    };

/** The leadership digest: the whole pipeline against its targets, the deals at risk, those closing this week, what changed, and deals without an owner. */
export interface LeadershipDigest {
  /** Who receives it (settings.managementAi.managerOwnerId); null: recorded, not delivered. */
  managerOwnerId: string | null;
  counts: { openDeals: number; needingAttention: number; needingAttentionLeftOut: number; assessmentsPending: number };
  /** null: the facts were recorded before they totalled the stages. */
  pipelines: PipelineStanding[] | null;
  /** Flagged deals whose assessment raised the attention flag or scored below DIGEST_AT_RISK_BELOW, lowest score first. */
  atRisk: { deals: DigestDeal[]; amount: number };
  /** The local date of the review and the six after it. */
  closingThisWeek: {
    from: string;
    to: string;
    /** Every open deal closing then (null: the facts were recorded before they counted close dates). */
    open: { deals: number; amount: number } | null;
    /** Of them, the deals needing attention. */
    needingAttention: DigestDeal[];
  };
  changes: DigestChanges;
  /** Flagged deals without an owner: nobody else's digest has them. */
  unowned: DigestDeal[];
}

/** A health score below this puts a deal among the leadership digest's deals at risk. */
export const DIGEST_AT_RISK_BELOW = 40;

export interface PipelineDigests {
  owners: OwnerDigest[];
  leadership: LeadershipDigest;
}

/** Which digest a delivery was about. */
export type DigestTarget = { kind: 'owner'; ownerId: string } | { kind: 'leadership'; managerOwnerId: string | null };

/** What one channel did with one digest: asked for (a HubSpot task's command), done (a log line), or not, with why. */
export type DigestDeliveryRecord =
  | { channel: string; digest: DigestTarget; kind: 'requested'; commandId: string; associatedDealId: string }
  | { channel: string; digest: DigestTarget; kind: 'done'; detail: string }
  | { channel: string; digest: DigestTarget; kind: 'not-delivered'; reason: string };

/** HubSpot's CRM search filter operators (the ones a backfill's filter may use). */
export const BACKFILL_FILTER_OPERATORS = ['EQ', 'NEQ', 'LT', 'LTE', 'GT', 'GTE', 'BETWEEN', 'IN', 'NOT_IN', 'HAS_PROPERTY', 'NOT_HAS_PROPERTY', 'CONTAINS_TOKEN', 'NOT_CONTAINS_TOKEN'] as const;
export type BackfillFilterOperator = (typeof BACKFILL_FILTER_OPERATORS)[number];
/** Filters of their own a backfill may add: HubSpot takes six per filter group, and the listing's own take two (the id cursor, the creation window). */
export const MAX_BACKFILL_FILTERS = 4;

/** One CRM search filter of a backfill, in HubSpot's shape (`highValue`: BETWEEN's upper bound). */
export interface BackfillFilter {
  propertyName: string;
  operator: BackfillFilterOperator;
  value?: string;
  highValue?: string;
  values?: string[];
}

/** How a portal is connected to HubSpot, as its events and the `portals` projection show it (no secrets). */
export interface PortalConnection {
  /** `oauth`: the agency's public app, installed by OAuth; `private-app`: a legacy private app or single-account app (static token, its own client secret); `token`: a pasted token. */
  mode: 'oauth' | 'private-app' | 'token';
  appId: number | null;
  hubDomain: string | null;
  scopes: string[];
  /** Which capabilities the scopes allow; the others stay off until their missing scopes are granted. */
  capabilities: { enabled: string[]; blocked: Array<{ capability: string; missingScopes: string[] }> };
  /** The HubSpot user who installed the app (OAuth), when HubSpot says. */
  installedByUserId?: number | null;
}

/** HubSpot's account details of a portal (GET /account-info/2026-03/details). */
export interface PortalAccount {
  timeZone: string | null;
  currency: string | null;
  dataHostingLocation: string | null;
  uiDomain: string | null;
  accountType: string | null;
  utcOffset: string | null;
}

/** What the property bootstrap found or did for one property (or group). */
export interface PropertyBootstrapResult {
  objectType: CrmObjectType;
  name: string;
  kind: 'property' | 'group';
  /** `conflicting`: a property of that name exists with another type (reported, never overwritten). */
  outcome: 'created' | 'present' | 'options-added' | 'conflicting' | 'failed';
  detail?: string;
}

/** Why a subject's personal data was erased. */
export type ErasureReason = 'privacy-deletion' | 'admin-request';

/** The decision a replay asked again, as it was. */
export interface ReplayedOriginal {
  decisionId: string;
  streamId: string;
  objectType: CrmObjectType;
  objectId: string;
  prompt: { id: string; version: number; hash: string };
  output: Record<string, unknown>;
}

/** One field of an answer that a replay changed (absent on one side: undefined). */
export interface FieldDifference {
  field: string;
  before: unknown;
  after: unknown;
}

export interface ReplayTotals {
  /** Decisions asked again so far, failed ones included. */
  replayed: number;
  /** Of those, answered differently. */
  changed: number;
  failed: number;
  /** Decisions not asked again because their snapshot was erased (absent before erasure existed). */
  skipped?: number;
  /** Estimated model cost of the replay so far (reused answers cost nothing). */
  costUsd: number;
}

export type PortalAlertKind =
  | 'access-revoked'
  | 'property-bootstrap-needed'
  | 'model-request-rejected'
  /** A routing setting names an owner HubSpot no longer has (deactivated); the default owner was used. */
  | 'owner-deactivated'
  /** A configured association label does not exist in the portal; HubSpot's default type was used. */
  | 'association-label-missing'
  /** HubSpot answered a create in a shape that leaves open whether it applied it: parked, not resent. */
  | 'hubspot-answer-unreadable'
  /** The portal's time zone (settings.review.timeZone or HubSpot's) is unknown to the runtime: its daily review runs in UTC. */
  | 'time-zone-unknown'
  /** A portal installed through the open install link (GET /oauth/install): paused until an operator approves it. */
  | 'install-approval-needed';

/** What the audit trail keeps about one HubSpot API call. */
export interface HubSpotCallRecord {
  callId: string;
  operation: string;
  /** HTTP status; null when no answer arrived (network error). */
  hubspotStatus: number | null;
  /** HubSpot's X-HubSpot-Correlation-Id, for their support. */
  hubspotCorrelationId: string | null;
  commandIds: string[];
  inputs: number;
  recordsWritten: number;
  durationMs: number;
  rateLimit: RateLimitSnapshot;
  error?: string;
  /** The HubSpot API version of the path called (HUBSPOT_OPERATIONS). */
  apiVersion?: string;
  /** What was odd about HubSpot's answer; the answer itself is then in `answer`, whole. */
  anomalies?: string[];
  answer?: unknown;
}

export type EventType = keyof EventPayloads;
export type PlatformEvent<T extends EventType = EventType> = EventEnvelope<T, EventPayloads[T]>;

/**
 * A change the writer makes to one portal's CRM, with a deterministic id that
 * makes it idempotent. Every command names the CRM object it is about: the one
 * updated, or the one a note or task is associated with.
 */
export type WritebackCommand = UpdatePropertiesCommand | CreateNoteCommand | CreateTaskCommand;

interface WritebackCommandBase {
  commandId: string;
  decisionId: string;
  objectType: CrmObjectType;
  objectId: string;
}

export interface UpdatePropertiesCommand extends WritebackCommandBase {
  kind: 'update-properties';
  properties: Record<string, string>;
}

/**
 * Another record a note or task belongs with, besides the command's own (a lead's
 * primary company and open deal, a ticket's requester). Association types come
 * from the portal's labels (docs/decisions/0018).
 */
export interface AlsoAssociatedRecord {
  objectType: CrmObjectType;
  objectId: string;
}

export interface CreateNoteCommand extends WritebackCommandBase {
  kind: 'create-note';
  alsoAssociate?: AlsoAssociatedRecord[];
  /** HTML allowed; HubSpot keeps at most 65,536 characters. */
  body: string;
  /** ISO instant shown on the timeline (hs_timestamp). */
  timestamp: string;
}

export interface CreateTaskCommand extends WritebackCommandBase {
  kind: 'create-task';
  alsoAssociate?: AlsoAssociatedRecord[];
  subject: string;
  body: string;
  /** ISO due instant (hs_timestamp). */
  dueAt: string;
  priority: 'LOW' | 'MEDIUM' | 'HIGH';
  taskType: 'EMAIL' | 'CALL' | 'TODO';
  ownerId?: string;
}

/**
 * The platform owns the `ai_` property namespace in every portal: a change to one of
 * these is the platform's own writeback coming back as a webhook, never a new trigger.
 */
export const PLATFORM_PROPERTY_PREFIX = 'ai_';

export function isPlatformProperty(propertyName: string | undefined): boolean {
  return propertyName !== undefined && propertyName.startsWith(PLATFORM_PROPERTY_PREFIX);
}

export function isEventOfType<T extends EventType>(event: EventEnvelope, type: T): event is PlatformEvent<T> {
  return event.type === type;
}
