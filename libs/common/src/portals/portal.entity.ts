import type { PortalAccount, PortalAlertKind, PortalConnection } from '../events/event-types';
import type { PortalHubSpotPlan } from '../hubspot/budget/api-limits';
import type { LeadRoutingSettings } from '../capabilities/lead-ai/lead-ai.settings';
import type { ServiceRoutingSettings } from '../capabilities/service-ai/service-ai.settings';
import type { ManagementAiSettings } from '../capabilities/management-ai/management-ai.settings';
import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export const PORTAL_STATUSES = ['active', 'paused', 'disabled'] as const;
export type PortalStatus = (typeof PORTAL_STATUSES)[number];

/** Per-portal settings, kept as JSON on the portal row. */
export interface PortalSettings {
  /** Subscription types this portal processes; absent = every type the platform knows. */
  enabledSubscriptions?: string[];
  /** SHA-256 (hex) of the API key its workflow "Send a webhook" actions present; never the key. */
  workflowApiKeySha256?: string;
  /** The portal's HubSpot plan: sets its API budget (see hubSpotLimitsFor). */
  hubspot?: PortalHubSpotPlan;
  /** Who follows up a new lead, and how soon (Lead AI; defined and validated in capabilities/lead-ai/lead-ai.settings.ts). */
  leadRouting?: LeadRoutingSettings;
  /** Who handles a triaged ticket, and the response SLA by priority (Service AI; capabilities/service-ai/service-ai.settings.ts). */
  serviceRouting?: ServiceRoutingSettings;
  /** What the daily pipeline review does with what it finds (Management AI). */
  managementAi?: ManagementAiSettings;
  /** Prompt versions this portal pins, e.g. { "lead-scoring": 1 }; absent = the latest (the versions that exist: capabilities/capability-settings.ts). */
  promptVersions?: Record<string, number>;
  /** Fields never sent to the model, whatever a prompt declares. */
  privacy?: { forbiddenFields?: string[] };
  /** Caps on what the AI may spend on this portal. */
  aiLimits?: AiLimitsSettings;
  /**
   * Association labels the portal wants on the AI's notes and tasks, by engagement
   * and target type, e.g. { notes: { contacts: "AI insight" } }; absent = HubSpot's
   * default (unlabeled) association. Resolved through the portal's own labels.
   */
  associationLabels?: AssociationLabelSettings;
  /**
   * How long the portal's personal data stays readable in the event store: days
   * (1–3650) after which the data keys of a day are destroyed (default 365; see
   * DEFAULT_PERSONAL_DATA_DAYS and docs/decisions/0019).
   */
  retention?: { personalDataDays?: number };
  /** When the portal's daily review runs (docs/runbook.md, "The daily review"). */
  review?: ReviewSettings;
  [key: string]: unknown;
}

/**
 * The daily review's local time: `dailyAt` ("HH:MM", default SCHEDULER_DAILY_AT) in
 * `timeZone` (an IANA name, default the time zone HubSpot reported at onboarding,
 * `account.timeZone`; UTC when neither is known to the runtime).
 */
export interface ReviewSettings {
  dailyAt?: string;
  timeZone?: string;
  /** A deal with no logged activity for this many days needs attention (1–MAX_STALE_AFTER_DAYS, default DEFAULT_STALE_AFTER_DAYS). */
  staleAfterDays?: number;
}

/** A deal with no logged activity for this many days needs attention, unless the portal says otherwise. */
export const DEFAULT_STALE_AFTER_DAYS = 14;
/** More than a year is a typo, not a sales cycle. */
export const MAX_STALE_AFTER_DAYS = 365;

export type AssociationLabelSettings = Partial<Record<'notes' | 'tasks', Partial<Record<'contacts' | 'companies' | 'deals' | 'tickets', string>>>>;

export interface AiLimitsSettings {
  /**
   * Decisions a record's changes may cause in 24 hours (default
   * DEFAULT_CHANGE_DECISIONS_PER_RECORD_PER_DAY; 0 = changes never re-decide). Bounds
   * the loop of a workflow that edits what the AI reads whenever the AI writes back.
   */
  changeDecisionsPerRecordPerDay?: number;
}

export const DEFAULT_CHANGE_DECISIONS_PER_RECORD_PER_DAY = 5;

/** HubSpot's ticket priorities (hs_ticket_priority), lowest first. */
export const TICKET_PRIORITIES = ['LOW', 'MEDIUM', 'HIGH', 'URGENT'] as const;
export type TicketPriority = (typeof TICKET_PRIORITIES)[number];

/** Service AI's ticket categories (ai_category); routing rules name them. */
export const TICKET_CATEGORIES = ['billing_issue', 'technical_issue', 'product_question', 'feature_request', 'account_access', 'cancellation', 'other'] as const;
export type TicketCategory = (typeof TICKET_CATEGORIES)[number];

export type PortalAlerts = Partial<Record<PortalAlertKind, { message: string; raisedAt: string }>>;

@Entity({ name: 'portals' })
export class PortalEntity {
  @PrimaryColumn({ name: 'portal_id', type: 'bigint', transformer: { to: (v: number) => v, from: (v: string) => Number(v) } })
  portalId: number;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text' })
  status: PortalStatus;

  @Column({ type: 'jsonb' })
  settings: PortalSettings;

  /** HubSpot's account details (time zone, currency, hosting), read at onboarding; {} before. */
  @Column({ type: 'jsonb', default: () => "'{}'::jsonb" })
  account: Partial<PortalAccount>;

  /** How the portal is connected (mode, scopes, capabilities); {} for portals registered before connections existed. */
  @Column({ type: 'jsonb', default: () => "'{}'::jsonb" })
  connection: Partial<PortalConnection>;

  /** What an operator must fix, by kind (set by the writer, cleared by the admin API). */
  @Column({ type: 'jsonb', default: () => "'{}'::jsonb" })
  alerts: PortalAlerts;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
