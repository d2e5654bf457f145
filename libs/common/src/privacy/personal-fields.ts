import type { EventEnvelope } from '../events/envelope';
import type { CrmObjectType, EventType } from '../events/event-types';

/**
 * Which parts of which events hold personal data, and so are sealed with the data
 * keys of their subjects before they reach the event store (docs/decisions/0019).
 *
 * A path names a field of the payload (`snapshot`) or a nested one
 * (`hubspot.propertyValue`). `values`: the field is a map whose keys are HubSpot
 * property names (not personal) and stay readable, with null values, so that
 * consumers routing on which properties changed need no key; the values are sealed.
 *
 * Every event type is listed (the type forces it): a new event type must say
 * whether it holds personal data.
 */
export interface PersonalField {
  path: string;
  mode?: 'values';
}

const NONE: readonly PersonalField[] = [];
const MODEL_CALL: readonly PersonalField[] = [{ path: 'input' }];

export const PERSONAL_FIELDS: { readonly [T in EventType]: readonly PersonalField[] } = {
  // A propertyChange carries the new value (an email, a name, a phone); creations carry none.
  WebhookEventReceived: [{ path: 'hubspot.propertyValue' }],
  // The platform's own changes come back with the values it wrote (a summary naming the contact).
  WebhookEventIgnored: [{ path: 'hubspot.propertyValue' }],
  ObjectChanged: [{ path: 'properties', mode: 'values' }],
  WorkflowWebhookReceived: [{ path: 'properties', mode: 'values' }, { path: 'raw' }],
  // Whatever was sent, unparsed: it may hold anything.
  WebhookEventRejected: [{ path: 'raw' }],
  PortalRegistered: NONE,
  DailyReviewScheduled: NONE,
  // Deal ids, owner ids (HubSpot user ids, as routing settings hold them), amounts, stages, counts and dates:
  // the review lists no deal name and copies no free text (hs_next_step is only checked for being empty).
  PipelineReviewFactsComputed: NONE,
  // Ids, dates, reasons and a hash of the deal's facts.
  DealReviewRequested: NONE,
  PipelineDigestRequested: NONE,
  // The digests quote the assessments' next steps and summaries (real names restored); deliveries hold ids only.
  PipelineDigestComposed: [{ path: 'owners' }, { path: 'leadership' }],
  // The CRM values the enricher read: the record's and its related records' (names, emails, phones, free text).
  ContextFetched: [{ path: 'snapshot' }],
  // Pseudonymised (decision 10), but the detectors miss what they miss (decision 17), and the answer quotes the input.
  DecisionMade: [...MODEL_CALL, { path: 'output' }, { path: 'repairedFrom' }, { path: 'reasoning' }],
  DecisionFailed: [...MODEL_CALL, { path: 'answers' }],
  TriggerSkipped: NONE,
  // What the writer writes: the answer's text with the real names restored.
  WritebackRequested: [{ path: 'properties' }, { path: 'subject' }, { path: 'body' }],
  // HubSpot's echo of the record (the note's body, the properties written).
  WritebackApplied: [{ path: 'response' }],
  WritebackSkipped: NONE,
  // HubSpot's validation messages quote the values they refused.
  WritebackFailed: [{ path: 'message' }],
  MessageDeadLettered: NONE,
  DeadLettersRedriven: NONE,
  // An odd answer is kept whole (notes with their bodies); an SDK error may quote a request.
  HubSpotCallCompleted: [{ path: 'answer' }, { path: 'error' }],
  HubSpotCreateSent: NONE,
  PortalAlertRaised: NONE,
  ReplayRequested: NONE,
  ReplayRejected: NONE,
  DecisionReplayed: [...MODEL_CALL, { path: 'output' }, { path: 'repairedFrom' }, { path: 'reasoning' }, { path: 'original.output' }, { path: 'differences' }],
  DecisionReplayFailed: [...MODEL_CALL, { path: 'answers' }, { path: 'original.output' }],
  DecisionReplaySkipped: NONE,
  ReplayProgressed: NONE,
  ReplayCompleted: NONE,
  ReplayApplyRequested: NONE,
  ReplayApplied: NONE,
  SubjectErased: NONE,
  PersonalDataExpired: NONE,
  PortalOffboarded: NONE,
  // The portal's life (issue 15): configuration, HubSpot's account facts and scopes; never tokens or secrets.
  PortalConnected: NONE,
  PortalDisconnected: NONE,
  PortalTokenRefreshed: NONE,
  PortalScopesChanged: NONE,
  PortalAccountRead: NONE,
  PortalStateImported: NONE,
  PortalSettingsChanged: NONE,
  PortalStatusChanged: NONE,
  PortalAlertsCleared: NONE,
  PropertiesBootstrapped: NONE,
  PortalInstallRefused: NONE,
  // An operator's search filter may name a person (email EQ ...).
  BackfillRequested: [{ path: 'filter' }],
  BackfillRecordListed: NONE,
  BackfillProgressed: NONE,
  BackfillPaused: NONE,
  BackfillResumed: NONE,
  BackfillCancelled: NONE,
  BackfillCompleted: NONE,
  BackfillFailed: NONE,
};

/** The personal fields of an event type; none for a type the platform does not know. */
export function personalFieldsOf(type: string): readonly PersonalField[] {
  return Object.prototype.hasOwnProperty.call(PERSONAL_FIELDS, type) ? PERSONAL_FIELDS[type as EventType] : NONE;
}

/** The subject of data about no one record: what the portal as a whole recorded (rejected webhooks, call answers). */
export const PORTAL_SUBJECT = 'portal';

/** A data subject: a CRM record of a portal, `contacts:123`. */
export function recordSubject(objectType: CrmObjectType | string, objectId: string | number): string {
  return `${objectType}:${objectId}`;
}

/** `contacts:123` → its type and id; undefined for the portal-wide subject or anything else. */
export function parseRecordSubject(subject: string): { objectType: string; objectId: string } | undefined {
  const match = /^([a-z]+):(.+)$/.exec(subject);
  return match ? { objectType: match[1]!, objectId: match[2]! } : undefined;
}

const CRM_STREAM = /^crm-\d+-([a-z]+)-(.+)$/;

/**
 * Whose personal data an event holds when its producer does not say: the record of
 * a CRM stream (`crm-<portal>-contacts-123` → `contacts:123`), the record a payload
 * names (a replay's original), else the portal as a whole.
 */
export function defaultSubjects(event: Pick<EventEnvelope, 'data'>, streamId: string): string[] {
  const stream = CRM_STREAM.exec(streamId);
  if (stream) return [recordSubject(stream[1]!, stream[2]!)];
  const data = event.data as { objectType?: unknown; objectId?: unknown; original?: { objectType?: unknown; objectId?: unknown } } | null;
  const named = data?.original ?? data;
  if (typeof named?.objectType === 'string' && (typeof named.objectId === 'string' || typeof named.objectId === 'number')) return [recordSubject(named.objectType, named.objectId)];
  return [PORTAL_SUBJECT];
}

/** Subjects in canonical order, without repeats. */
export function canonicalSubjects(subjects: Iterable<string>): string[] {
  return [...new Set(subjects)].sort();
}
