import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { DeadLetterCategory } from '../kafka/kafka-bus';
import type { PartitionLag } from './consumer-lag';
import type { ReadinessReport } from './readiness';
import { topN, topWithOther } from './top-n';

/** Portals shown under their own label in per-portal gauges; the rest are folded ("other") or left out (ratios). */
export const TOP_PORTALS = 10;

/** Why a message went to a dead-letter topic: a fixed set, never the reason's text (that is in the message's headers). */
export const DEAD_LETTER_REASONS: readonly DeadLetterCategory[] = ['undecodable', 'non-retriable', 'gave-up', 'refused'];

/** One portal's HubSpot daily budget: calls made today against the platform's share of the daily limit. */
export interface BudgetUse {
  portalId: number;
  used: number;
  /** null: no daily limit (public apps). */
  allowed: number | null;
}

/** What the gauges read when scraped; each service sets the ones it has. */
export interface MetricSources {
  readiness?: () => Promise<ReadinessReport>;
  consumerLag?: () => Promise<PartitionLag[]>;
  writerQueueDepths?: () => Iterable<readonly [string, number]>;
  budgets?: () => Promise<BudgetUse[]>;
}

/**
 * The platform's Prometheus metrics, every family defined here with its name and
 * help (the dashboard and alert rules are checked against this list:
 * test/observability-assets.spec.ts). One registry per process, labelled
 * with the service; each service fills the families it has and leaves the others
 * empty. Labels are bounded: groups, topics, outcomes, operations, models and
 * failure kinds are fixed sets; portals appear only as the top N.
 */
export class PlatformMetrics {
  readonly registry = new Registry();
  readonly sources: MetricSources = {};

  // Readiness (GET /health/ready's answer, as a gauge for the "not ready" alert).
  // Each gauge collects on its own: prom-client scrapes the families concurrently, so one may not fill another.
  // The readiness check is cached briefly and shared, so the four read one probe.
  readonly ready = this.gauge('hubspot_ai_ready', '1 when the service is ready (Postgres, Kafka, every consumer a member of its group), else 0', [], async (g, m) => {
    const report = await m.sources.readiness?.();
    if (report) g.set(report.status === 'ready' ? 1 : 0);
  });
  readonly dependencyUp = this.gauge('hubspot_ai_dependency_up', 'Whether a dependency answered its last probe (1) or not (0), by dependency: postgres, kafka', ['dependency'], async (g, m) => {
    const report = await m.sources.readiness?.();
    if (!report) return;
    g.set({ dependency: 'postgres' }, report.postgres ? 1 : 0);
    g.set({ dependency: 'kafka' }, report.kafka ? 1 : 0);
  });

  // Kafka consumers.
  readonly groupMember = this.gauge('hubspot_ai_kafka_consumer_group_member', '1 when the consumer is a member of its group (with or without partitions), else 0, by group', ['group'], async (g, m) => {
    const report = await m.sources.readiness?.();
    if (!report) return;
    g.reset();
    for (const [group, state] of Object.entries(report.consumers)) g.set({ group }, state.state === 'member' ? 1 : 0);
  });
  readonly assignedPartitions = this.gauge('hubspot_ai_kafka_consumer_assigned_partitions', 'Partitions assigned to this member at its last join, by group (0 is idle on purpose: more members than partitions)', ['group'], async (g, m) => {
    const report = await m.sources.readiness?.();
    if (!report) return;
    g.reset();
    for (const [group, state] of Object.entries(report.consumers)) g.set({ group }, state.partitions);
  });
  readonly rebalances = new Counter({ name: 'hubspot_ai_kafka_consumer_rebalances_total', help: 'Times a consumer group of this process started rebalancing, by group', labelNames: ['group'] as const, registers: [this.registry] });
  readonly crashes = new Counter({ name: 'hubspot_ai_kafka_consumer_crashes_total', help: 'Times a consumer crashed, by group and whether kafkajs restarts it (restart "false" ends the process)', labelNames: ['group', 'restart'] as const, registers: [this.registry] });
  readonly handled = new Counter({ name: 'hubspot_ai_kafka_messages_handled_total', help: 'Consumed messages by group, topic and final outcome: done, drop, dead-letter', labelNames: ['group', 'topic', 'outcome'] as const, registers: [this.registry] });
  readonly retries = new Counter({ name: 'hubspot_ai_kafka_retries_total', help: 'Retriable failures retried in place (each retry once), by group and topic', labelNames: ['group', 'topic'] as const, registers: [this.registry] });
  readonly deadLetters = new Counter({
    name: 'hubspot_ai_kafka_dead_letters_total',
    help: `Messages sent to a dead-letter topic, by original topic and reason: ${DEAD_LETTER_REASONS.join(', ')}`,
    labelNames: ['topic', 'reason'] as const,
    registers: [this.registry],
  });
  readonly consumerLag = this.gauge('hubspot_ai_kafka_consumer_lag', 'Messages not yet committed by a consumer group of this process, by group, topic and partition (read from Kafka when scraped)', ['group', 'topic', 'partition'], async (g, m) => {
    const lags = await m.sources.consumerLag?.();
    g.reset();
    for (const { group, topic, partition, lag } of lags ?? []) g.set({ group, topic, partition: String(partition) }, lag);
  });

  // The model (enricher).
  readonly modelCalls = new Counter({ name: 'hubspot_ai_model_calls_total', help: 'Model calls by provider, model and outcome: answered, unusable (answered, no usable answer), failed (no answer)', labelNames: ['provider', 'model', 'outcome'] as const, registers: [this.registry] });
  readonly modelLatency = new Histogram({
    name: 'hubspot_ai_model_latency_seconds',
    help: 'Time a model call took, answered or not, by provider and model',
    labelNames: ['provider', 'model'] as const,
    buckets: [0.05, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60, 120, 300],
    registers: [this.registry],
  });
  readonly modelTokens = new Counter({ name: 'hubspot_ai_model_tokens_total', help: 'Tokens of model replies by provider, model and kind: input, output, cache_read, cache_creation, thinking (part of output)', labelNames: ['provider', 'model', 'kind'] as const, registers: [this.registry] });
  readonly modelCost = new Counter({ name: 'hubspot_ai_model_cost_usd_total', help: 'Estimated cost of model replies in USD at list prices, by provider and model', labelNames: ['provider', 'model'] as const, registers: [this.registry] });
  readonly modelFailures = new Counter({ name: 'hubspot_ai_model_failures_total', help: 'Model calls that gave no usable answer, by provider, model and kind: the API failure category or unusable:<reason>', labelNames: ['provider', 'model', 'kind'] as const, registers: [this.registry] });

  // HubSpot.
  readonly hubspotCalls = new Counter({ name: 'hubspot_ai_hubspot_calls_total', help: 'HubSpot API calls by operation and status (the HTTP status, or network/timeout when none came)', labelNames: ['operation', 'status'] as const, registers: [this.registry] });
  readonly hubspotLatency = new Histogram({
    name: 'hubspot_ai_hubspot_call_duration_seconds',
    help: 'Time a HubSpot API call took, by operation',
    labelNames: ['operation'] as const,
    buckets: [0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [this.registry],
  });
  readonly hubspotRateLimited = new Counter({ name: 'hubspot_ai_hubspot_rate_limited_total', help: 'HubSpot 429 answers by policy: TEN_SECONDLY_ROLLING, DAILY, SECONDLY, other', labelNames: ['policy'] as const, registers: [this.registry] });
  readonly budgetUsedRatio = this.gauge('hubspot_ai_hubspot_budget_daily_used_ratio', `Share of the platform's daily HubSpot budget used today (UTC), for the ${TOP_PORTALS} portals closest to their limit`, ['portal'], async (g, m) => {
    const budgets = await m.sources.budgets?.();
    if (!budgets) return;
    g.reset();
    const ratios = budgets.filter((b) => b.allowed !== null && b.allowed > 0).map((b) => [String(b.portalId), b.used / b.allowed!] as const);
    for (const { label, value } of topN(ratios, TOP_PORTALS)) g.set({ portal: label }, value);
  });
  readonly budgetCalls = this.gauge('hubspot_ai_hubspot_budget_daily_calls', 'HubSpot calls today across portals with a daily limit: used, and allowed (the sum of their daily shares)', ['kind'], async (g, m) => {
    const limited = (await m.sources.budgets?.())?.filter((b) => b.allowed !== null);
    if (!limited) return;
    g.set({ kind: 'used' }, limited.reduce((sum, b) => sum + b.used, 0));
    g.set({ kind: 'allowed' }, limited.reduce((sum, b) => sum + (b.allowed ?? 0), 0));
  });

  // The writer.
  readonly writerQueueDepth = this.gauge('hubspot_ai_writer_queue_depth', `Writebacks held by the writer (waiting or in flight) for the ${TOP_PORTALS} portals with the most, the rest under portal="other"`, ['portal'], (g, m) => {
    const depths = m.sources.writerQueueDepths?.();
    if (!depths) return;
    g.reset();
    for (const { label, value } of topWithOther(depths, TOP_PORTALS)) g.set({ portal: label }, value);
  });

  // The scheduler.
  readonly schedulerRuns = new Counter({ name: 'hubspot_ai_scheduler_runs_total', help: 'Scheduler runs by job (daily-review, retention) and outcome (ok, failed)', labelNames: ['job', 'outcome'] as const, registers: [this.registry] });
  readonly schedulerLastSuccess = this.gauge('hubspot_ai_scheduler_last_success_timestamp_seconds', 'When a job last ran to the end (Unix seconds), by job', ['job']);
  readonly reviewsScheduled = new Counter({ name: 'hubspot_ai_scheduler_reviews_scheduled_total', help: 'Daily review triggers this scheduler recorded', registers: [this.registry] });

  constructor(service: string, options: { processMetrics?: boolean } = {}) {
    this.registry.setDefaultLabels({ service });
    // Ingest has its own, prefixed hubspot_ai_ingest_ (apps/ingest/src/metrics).
    if (options.processMetrics ?? true) collectDefaultMetrics({ register: this.registry, prefix: 'hubspot_ai_' });
  }

  /** A gauge of this registry; `collect` (at scrape) fills it from a source. */
  private gauge<L extends string>(name: string, help: string, labelNames: readonly L[], collect?: (gauge: Gauge<L>, metrics: PlatformMetrics) => Promise<void> | void): Gauge<L> {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const metrics = this;
    return new Gauge<L>({
      name,
      help,
      labelNames,
      registers: [this.registry],
      ...(collect
        ? {
            async collect(this: Gauge<L>) {
              // A source that fails (Kafka down while reading lag) empties its gauge; the rest of the scrape goes on.
              try {
                await collect(this, metrics);
              } catch {
                this.reset();
              }
            },
          }
        : {}),
    });
  }
}
