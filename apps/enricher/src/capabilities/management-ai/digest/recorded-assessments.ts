import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EventStore, isErased, isPlainObject, MANAGEMENT_AI_PROMPTS, recordSubject, STALL_REASONS, StreamIds } from '@app/common';
import { PLACEHOLDER } from '../../../privacy/pseudonymise';
import { DEAL_PROPERTIES } from '../deal-writebacks';
import type { AssessedDeal } from './digest-composition';

/** The deal prompt's id: its decisions are the deals' assessments. */
const DEAL_HEALTH_PROMPT = MANAGEMENT_AI_PROMPTS.id;

/** A deal's latest assessment and whose personal data its text holds (what the digest is sealed for). */
export interface DealAssessment {
  assessment: AssessedDeal;
  subjects: string[];
}

interface Row {
  stream_id: string;
  portal_id: string;
  decision_id: string;
  decision_data: unknown;
  decided_at: Date;
  writeback_id: string | null;
  writeback_data: unknown;
}

/**
 * Reads the latest deal-health decision of each deal, with the update-properties
 * writeback it asked for: one query for all of a review's deals. The writeback's
 * properties are preferred (the real text, names restored); the decision's answer
 * is used only when it has no placeholders. Both are opened as the event store
 * opens what it reads (docs/decisions/0019): erased data gives no text.
 */
@Injectable()
export class RecordedAssessments {
  constructor(
    private readonly dataSource: DataSource,
    private readonly eventStore: EventStore,
  ) {}

  async latest(portalId: number, dealIds: readonly string[]): Promise<Map<string, DealAssessment>> {
    const found = new Map<string, DealAssessment>();
    if (dealIds.length === 0) return found;
    const streams = new Map(dealIds.map((id) => [StreamIds.crmObject(portalId, 'deals', id), id]));
    const rows: Row[] = await this.dataSource.query(
      `SELECT DISTINCT ON (d.stream_id) d.stream_id, d.portal_id, d.event_id AS decision_id, d.data AS decision_data, d.recorded_at AS decided_at,
              w.event_id AS writeback_id, w.data AS writeback_data
         FROM events d
         LEFT JOIN LATERAL (
           SELECT event_id, data FROM events w
            WHERE w.stream_id = d.stream_id AND w.type = 'WritebackRequested'
              AND w.data->>'kind' = 'update-properties' AND w.data->>'decisionId' = d.event_id::text
            ORDER BY w.global_position DESC LIMIT 1) w ON true
        WHERE d.stream_id = ANY($1::text[]) AND d.type = 'DecisionMade' AND d.data->'prompt'->>'id' = $2
        ORDER BY d.stream_id, d.global_position DESC`,
      [[...streams.keys()], DEAL_HEALTH_PROMPT],
    );
    for (const row of rows) {
      const dealId = streams.get(row.stream_id)!;
      const [decision, writeback] = await this.open(portalId, [
        { id: row.decision_id, data: row.decision_data },
        ...(row.writeback_id ? [{ id: row.writeback_id, data: row.writeback_data }] : []),
      ]);
      const assessment = readAssessment(row.decision_id, new Date(row.decided_at).toISOString(), decision!.data, writeback?.data);
      if (!assessment) continue;
      const subjects = this.eventStore.personalData?.subjectsOf(writeback?.data) ?? this.eventStore.personalData?.subjectsOf(decision!.data) ?? [recordSubject('deals', dealId)];
      found.set(dealId, { assessment, subjects });
    }
    return found;
  }

  private async open(portalId: number, events: Array<{ id: string; data: unknown }>): Promise<Array<{ id: string; data: unknown }>> {
    const personalData = this.eventStore.personalData;
    return personalData ? personalData.open(events.map((e) => ({ ...e, portalId }))) : events;
  }
}

/**
 * An assessment from a decision's answer and, when found, its writeback's properties;
 * undefined when neither holds a usable score and stall reason (an answer the digest
 * cannot read, or whose personal data was erased with its score, is shown as pending,
 * not guessed). Pure.
 */
export function readAssessment(decisionId: string, assessedAt: string, decision: unknown, writeback: unknown): AssessedDeal | undefined {
  const properties = isPlainObject(writeback) && !isErased(writeback) && isPlainObject(writeback.properties) ? writeback.properties : undefined;
  const output = isPlainObject(decision) && !isErased(decision) && isPlainObject(decision.output) ? decision.output : undefined;
  if (properties) {
    const healthScore = Number(properties[DEAL_PROPERTIES.healthScore]);
    const stallReason = properties[DEAL_PROPERTIES.stallReason];
    if (Number.isFinite(healthScore) && isStallReason(stallReason)) {
      return {
        kind: 'assessed',
        decisionId,
        assessedAt,
        healthScore,
        stallReason,
        attention: properties[DEAL_PROPERTIES.attention] === 'true',
        nextStep: textOf(properties[DEAL_PROPERTIES.nextStep]),
        summary: textOf(properties[DEAL_PROPERTIES.summary]),
        text: 'writeback',
      };
    }
  }
  if (output && typeof output.healthScore === 'number' && isStallReason(output.stallReason) && typeof output.attention === 'boolean') {
    const nextStep = textOf(output.nextStep);
    const summary = textOf(output.summary);
    const pseudonymised = [nextStep, summary].some((t) => t !== null && PLACEHOLDER.test(t));
    return {
      kind: 'assessed',
      decisionId,
      assessedAt,
      healthScore: output.healthScore,
      stallReason: output.stallReason,
      attention: output.attention,
      nextStep: pseudonymised ? null : nextStep,
      summary: pseudonymised ? null : summary,
      text: pseudonymised ? 'placeholders' : 'decision',
    };
  }
  return undefined;
}

function isStallReason(value: unknown): value is string {
  return typeof value === 'string' && (STALL_REASONS as readonly string[]).includes(value);
}

function textOf(value: unknown): string | null {
  return typeof value === 'string' && value.trim() !== '' ? value.trim() : null;
}
