import type { DataSource } from 'typeorm';

export interface DailyDecisionCost {
  /** UTC day, YYYY-MM-DD. */
  day: string;
  /** The model that answered (`offline-rules-v1` for the offline scorer): one row per day and model. */
  model: string;
  decisions: number;
  inputTokens: number;
  /** Includes the thinking tokens (billed as output). */
  outputTokens: number;
  thinkingTokens: number;
  cacheReadInputTokens: number;
  cacheCreationInputTokens: number;
  /** Sum of the decisions' estimates; decisions without a known price count as 0 and are counted in `unpriced`. */
  costUsd: number;
  unpriced: number;
  /** Decisions that reused an earlier answer to the same input instead of calling the model (no tokens, no cost); replays' reuses are not counted here. */
  reused: number;
  /** Model answers that became no decision (invalid twice, cut off, no tool call): paid for, so their tokens and cost are in the totals. */
  failed: number;
  /** Answers replays asked for (usable or not): paid for like any other call, so in the totals too. */
  replayed: number;
}

/** One prompt's share of a portal's model calls and cost over a period (the daily review's is `deal-health`). */
export interface PromptCostShare {
  promptId: string;
  /** Every recorded model call of the prompt: decisions (reused ones included), failed answers and replays. */
  calls: number;
  /** Decisions that reused an earlier answer (no model call, no cost). */
  reused: number;
  costUsd: number;
  /** This prompt's part of the period's total cost, 0–1 (0 when nothing was spent). */
  share: number;
}

/** Token usage and estimated model cost per portal per UTC day and model, read from every recorded model call: decisions, failed answers and replays. */
export class DecisionCosts {
  constructor(private readonly dataSource: DataSource) {}

  async byDay(portalId: number, from: Date, to: Date): Promise<DailyDecisionCost[]> {
    const rows: Array<Record<string, string>> = await this.dataSource.query(
      `SELECT to_char(recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD') AS day,
              coalesce(data->>'model', 'unknown') AS model,
              count(*) FILTER (WHERE type = 'DecisionMade') AS decisions,
              coalesce(sum((data->'usage'->>'inputTokens')::bigint), 0) AS input,
              coalesce(sum((data->'usage'->>'outputTokens')::bigint), 0) AS output,
              coalesce(sum((data->'usage'->>'thinkingTokens')::bigint), 0) AS thinking,
              coalesce(sum((data->'usage'->>'cacheReadInputTokens')::bigint), 0) AS cache_read,
              coalesce(sum((data->'usage'->>'cacheCreationInputTokens')::bigint), 0) AS cache_write,
              coalesce(sum((data->>'costUsd')::numeric), 0) AS cost,
              count(*) FILTER (WHERE data->>'costUsd' IS NULL) AS unpriced,
              count(*) FILTER (WHERE type = 'DecisionMade' AND data ? 'reusedFrom') AS reused,
              count(*) FILTER (WHERE type = 'DecisionFailed') AS failed,
              count(*) FILTER (WHERE type IN ('DecisionReplayed', 'DecisionReplayFailed')) AS replayed
         FROM events
        -- Every event that records a model call; the partial index events_model_calls covers exactly these.
        WHERE type IN ('DecisionMade', 'DecisionFailed', 'DecisionReplayed', 'DecisionReplayFailed') AND portal_id = $1 AND recorded_at >= $2 AND recorded_at < $3
        GROUP BY 1, 2 ORDER BY 1, 2`,
      [portalId, from, to],
    );
    return rows.map((r) => ({
      day: r.day!,
      model: r.model!,
      decisions: Number(r.decisions),
      inputTokens: Number(r.input),
      outputTokens: Number(r.output),
      thinkingTokens: Number(r.thinking),
      cacheReadInputTokens: Number(r.cache_read),
      cacheCreationInputTokens: Number(r.cache_write),
      costUsd: Math.round(Number(r.cost) * 1_000_000) / 1_000_000,
      unpriced: Number(r.unpriced),
      reused: Number(r.reused),
      failed: Number(r.failed),
      replayed: Number(r.replayed),
    }));
  }

  /** The same calls per prompt (each capability asks with one prompt id), with each prompt's share of the cost. */
  async byPrompt(portalId: number, from: Date, to: Date): Promise<PromptCostShare[]> {
    const rows: Array<Record<string, string>> = await this.dataSource.query(
      `SELECT coalesce(data->'prompt'->>'id', 'unknown') AS prompt,
              count(*) AS calls,
              count(*) FILTER (WHERE type = 'DecisionMade' AND data ? 'reusedFrom') AS reused,
              coalesce(sum((data->>'costUsd')::numeric), 0) AS cost
         FROM events
        WHERE type IN ('DecisionMade', 'DecisionFailed', 'DecisionReplayed', 'DecisionReplayFailed') AND portal_id = $1 AND recorded_at >= $2 AND recorded_at < $3
        GROUP BY 1 ORDER BY 1`,
      [portalId, from, to],
    );
    const total = rows.reduce((sum, r) => sum + Number(r.cost), 0);
    return rows.map((r) => ({
      promptId: r.prompt!,
      calls: Number(r.calls),
      reused: Number(r.reused),
      costUsd: Math.round(Number(r.cost) * 1_000_000) / 1_000_000,
      share: total > 0 ? Math.round((Number(r.cost) / total) * 10_000) / 10_000 : 0,
    }));
  }
}
