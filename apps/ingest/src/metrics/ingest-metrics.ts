import { Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { DataSource } from 'typeorm';
import { isKnownSubscriptionType } from '../webhooks/webhook-event.parser';

/**
 * Prometheus metrics of ingest, served at GET /metrics. Labels are bounded: portal
 * ids (hundreds) and HubSpot's subscription types (a fixed set; unknown ones are
 * folded into "other").
 */
@Injectable()
export class IngestMetrics {
  readonly registry = new Registry();

  /** Every event in a request body, by what became of it. */
  readonly events = new Counter({
    name: 'hubspot_ai_ingest_webhook_events_total',
    help: 'Webhook events by outcome: received, accepted, coalesced, duplicate, ignored, rejected',
    labelNames: ['outcome', 'portal', 'subscription_type'] as const,
    registers: [this.registry],
  });

  readonly requests = new Counter({
    name: 'hubspot_ai_ingest_webhook_requests_total',
    help: 'Webhook requests by route and HTTP status',
    labelNames: ['route', 'status'] as const,
    registers: [this.registry],
  });

  /** Failed authentications on the webhook routes (logged sampled; see edge/edge-guard.ts). */
  readonly authFailures = new Counter({
    name: 'hubspot_ai_ingest_auth_failures_total',
    help: 'Failed webhook authentications by route and reason: missing-credentials (refused before the body), rejected (signature or key did not verify)',
    labelNames: ['route', 'reason'] as const,
    registers: [this.registry],
  });

  readonly authThrottled = new Counter({
    name: 'hubspot_ai_ingest_auth_throttled_total',
    help: 'Webhook requests refused with 429 because their source had too many failed authentications (EDGE_AUTH_FAILURES_PER_MINUTE)',
    labelNames: ['route'] as const,
    registers: [this.registry],
  });

  /**
   * Authenticated webhook requests by how they were authenticated: v3, the per-portal
   * api-key, or a legacy v1/v2 signature (only with HUBSPOT_LEGACY_SIGNATURES; alert on
   * any, a captured legacy request replays forever).
   */
  readonly signatures = new Counter({
    name: 'hubspot_ai_ingest_webhook_signatures_total',
    help: 'Authenticated webhook requests by route and authentication: v3, api-key, or legacy v1/v2 (HUBSPOT_LEGACY_SIGNATURES)',
    labelNames: ['route', 'authenticated_by'] as const,
    registers: [this.registry],
  });

  readonly ackLatency = new Histogram({
    name: 'hubspot_ai_ingest_ack_latency_seconds',
    help: 'Time from request received to answer sent (events durable when 200)',
    labelNames: ['route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [this.registry],
  });

  readonly coalescedTriggers = new Counter({
    name: 'hubspot_ai_ingest_coalesced_triggers_total',
    help: 'ObjectChanged triggers emitted by closing coalescing windows',
    labelNames: ['portal', 'object_type'] as const,
    registers: [this.registry],
  });

  constructor(dataSource: DataSource) {
    collectDefaultMetrics({ register: this.registry, prefix: 'hubspot_ai_ingest_' });
    // Outbox lag is read from Postgres when scraped, so it is right whichever replica's relay publishes.
    new Gauge({
      name: 'hubspot_ai_outbox_pending_events',
      help: 'Recorded events not yet published to Kafka',
      registers: [this.registry],
      async collect() {
        const [row] = (await dataSource.query('SELECT count(*)::int AS n FROM outbox')) as Array<{ n: number }>;
        this.set(row?.n ?? 0);
      },
    });
    new Gauge({
      name: 'hubspot_ai_outbox_oldest_pending_seconds',
      help: 'Age of the oldest unpublished event (0 when the outbox is empty)',
      registers: [this.registry],
      async collect() {
        const [row] = (await dataSource.query('SELECT coalesce(extract(epoch FROM now() - min(created_at)), 0)::float AS age FROM outbox')) as Array<{ age: number }>;
        this.set(row?.age ?? 0);
      },
    });
    new Gauge({
      name: 'hubspot_ai_outbox_parked_events',
      help: 'Events Kafka refused for good (too large), parked for inspection (alert on > 0)',
      registers: [this.registry],
      async collect() {
        const [row] = (await dataSource.query('SELECT count(*)::int AS n FROM outbox_parked')) as Array<{ n: number }>;
        this.set(row?.n ?? 0);
      },
    });
    new Gauge({
      name: 'hubspot_ai_ingest_open_coalescing_windows',
      help: 'Objects whose property changes are waiting for their window to close',
      registers: [this.registry],
      async collect() {
        const [row] = (await dataSource.query('SELECT count(*)::int AS n FROM coalescing_windows')) as Array<{ n: number }>;
        this.set(row?.n ?? 0);
      },
    });
  }
}

/** The subscription_type label: one of the platform's known subscription types, else "other" (bounded). */
export function subscriptionLabel(subscriptionType: string): string {
  return isKnownSubscriptionType(subscriptionType) ? subscriptionType : 'other';
}
