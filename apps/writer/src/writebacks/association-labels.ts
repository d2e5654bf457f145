import { Injectable } from '@nestjs/common';
import { budgetRetry, classifyHubSpotFailure, engagementAssociationTypeId, HubSpotApi, HubSpotBudget, type AssociationLabelSettings, type CrmObjectType, type HubSpotCredential, type HubSpotFailureClass, type PortalHubSpotPlan } from '@app/common';
import { auditedCall, type ReadBackCall } from './create-readback';

/** One association type as a create's inline `associations[].types[]` names it. */
export interface AssociationTypeRef {
  associationCategory: 'HUBSPOT_DEFINED' | 'USER_DEFINED' | 'INTEGRATOR_DEFINED';
  associationTypeId: number;
}

type Engagement = 'notes' | 'tasks';
type LabelTarget = keyof NonNullable<AssociationLabelSettings['notes']>;

/** The labels of one pair as HubSpot lists them. */
interface PortalLabel {
  category: AssociationTypeRef['associationCategory'];
  typeId: number;
  label: string | null;
}

/** The types for one engagement→record association: HubSpot's default, plus the portal's label when one is configured and exists. */
export type ResolvedTypes = { types: AssociationTypeRef[]; missingLabel?: string };

/** The lookup's outcome, and the call it made (for HubSpotCallCompleted) when it made one. */
export type LabelLookup = ({ kind: 'found'; labels: PortalLabel[] } | { kind: 'failed'; failure: HubSpotFailureClass }) & { call?: ReadBackCall };

/** How long a label lookup may wait for the portal's budget before the defaults are used. */
const LOOKUP_BUDGET_WAIT_MS = 2_000;

/** How long a portal's labels are trusted; a label an admin adds shows up within this time. */
export const LABELS_TTL_MS = 60 * 60 * 1000;

/**
 * A portal's association labels between engagements and records, looked up once
 * per pair through `GET /crm/associations/{version}/{from}/{to}/labels` and cached,
 * so a portal whose admins defined custom labels gets them on the AI's notes and
 * tasks. Portals without configured labels never cost a call: HubSpot's default
 * type ids are the same in every account.
 */
@Injectable()
export class AssociationLabels {
  private readonly cache = new Map<string, { labels: PortalLabel[]; expiresAt: number }>();

  constructor(
    private readonly hubspot: HubSpotApi,
    private readonly budget: HubSpotBudget,
  ) {}

  /** Cached labels, or undefined when they must be looked up first (`lookUp`). */
  cached(portalId: number, from: Engagement, to: CrmObjectType, now: number): PortalLabel[] | undefined {
    const entry = this.cache.get(`${portalId}:${from}:${to}`);
    return entry && entry.expiresAt > now ? entry.labels : undefined;
  }

  /**
   * One call inside the portal's budget, waiting for it briefly (the bucket is
   * smoothed: a burst of writebacks can leave it empty for a moment); a portal
   * still out of budget then uses the defaults this time.
   */
  async lookUp(portal: { portalId: number; accessToken: HubSpotCredential; plan?: PortalHubSpotPlan }, from: Engagement, to: CrmObjectType, now: () => number): Promise<LabelLookup> {
    const grant = await this.budget.acquireWithin({ portalId: portal.portalId, plan: portal.plan }, LOOKUP_BUDGET_WAIT_MS);
    if (!grant.granted) return { kind: 'failed', failure: budgetRetry(grant) };
    const started = now();
    const answer = await this.hubspot.call(portal.accessToken, 'associations.labels', { fromObjectType: from, toObjectType: to });
    const call = auditedCall(`read labels ${from} ${to}`, answer, now() - started);
    const failure = answer.ok ? undefined : classifyHubSpotFailure(answer.error);
    // Best effort: a budget that cannot be updated must not cost the note its labels.
    await this.budget.learnFrom(portal.portalId, answer, failure).catch(() => undefined);
    if (!answer.ok) return { kind: 'failed', failure: failure!, call };
    const labels = readLabels(answer.body);
    this.cache.set(`${portal.portalId}:${from}:${to}`, { labels, expiresAt: now() + LABELS_TTL_MS });
    return { kind: 'found', labels, call };
  }

  forget(portalId: number): void {
    for (const key of [...this.cache.keys()]) if (key.startsWith(`${portalId}:`)) this.cache.delete(key);
  }
}

/** The label a portal configured for this pair, if any. */
export function configuredLabel(settings: AssociationLabelSettings | undefined, from: Engagement, to: CrmObjectType): string | undefined {
  return settings?.[from]?.[to as LabelTarget];
}

/** HubSpot's default type for the pair, plus the configured label's type when the portal has it. Pure. */
export function resolveTypes(from: Engagement, to: CrmObjectType, label: string | undefined, labels: PortalLabel[] | undefined): ResolvedTypes {
  const types: AssociationTypeRef[] = [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: engagementAssociationTypeId(from, to) }];
  if (label === undefined) return { types };
  const wanted = label.trim().toLowerCase();
  const found = (labels ?? []).find((l) => l.label !== null && l.label.trim().toLowerCase() === wanted);
  if (!found) return { types, missingLabel: label };
  if (found.typeId !== types[0]!.associationTypeId) types.push({ associationCategory: found.category, associationTypeId: found.typeId });
  return { types };
}

function readLabels(body: unknown): PortalLabel[] {
  const results = typeof body === 'object' && body !== null ? (body as { results?: unknown }).results : undefined;
  if (!Array.isArray(results)) return [];
  return results.flatMap((r): PortalLabel[] => {
    if (typeof r !== 'object' || r === null) return [];
    const { category, typeId, label } = r as Record<string, unknown>;
    if (typeof typeId !== 'number' || (category !== 'HUBSPOT_DEFINED' && category !== 'USER_DEFINED' && category !== 'INTEGRATOR_DEFINED')) return [];
    return [{ category, typeId, label: typeof label === 'string' ? label : null }];
  });
}
