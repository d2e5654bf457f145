import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { DataSource } from 'typeorm';
import { Histogram, type Metric } from 'prom-client';
import { PlatformMetrics } from '@app/common';
import { IngestMetrics } from '../apps/ingest/src/metrics/ingest-metrics';

const root = join(__dirname, '..');
const dashboard = JSON.parse(readFileSync(join(root, 'infra/observability/grafana-dashboard.json'), 'utf8'));
const alerts = parse(readFileSync(join(root, 'infra/observability/prometheus-alerts.yml'), 'utf8')) as { groups: Array<{ name: string; rules: Array<Record<string, any>> }> };
const runbook = readFileSync(join(root, 'docs/runbook.md'), 'utf8');

/** Labels Prometheus adds (job, instance), the registry's default (service), and a histogram's bucket bound. */
const AMBIENT_LABELS = ['job', 'instance', 'service'];

/** Every series name the services expose, from the metric definitions themselves, with its label names. */
function exposedSeries(): Map<string, Set<string>> {
  const metrics: unknown[] = [...new PlatformMetrics('any').registry.getMetricsAsArray(), ...new IngestMetrics({} as DataSource).registry.getMetricsAsArray()];
  const series = new Map<string, Set<string>>();
  for (const metric of metrics as Array<Metric & { name: string; labelNames?: readonly string[] }>) {
    const labels = new Set([...(metric.labelNames ?? []), ...AMBIENT_LABELS]);
    series.set(metric.name, labels);
    if (metric instanceof Histogram) {
      series.set(`${metric.name}_bucket`, new Set([...labels, 'le']));
      series.set(`${metric.name}_sum`, labels);
      series.set(`${metric.name}_count`, labels);
    }
  }
  return series;
}

/**
 * What is wrong with one PromQL expression: a hubspot_ai_* series no service exposes,
 * a label matcher naming a label the series does not have, or a grouping label none
 * of the expression's series has.
 */
export function problemsOf(expr: string, series: Map<string, Set<string>>): string[] {
  const problems: string[] = [];
  const used = [...expr.matchAll(/\b(hubspot_ai_[a-z0-9_]+)\s*(\{([^}]*)\})?/g)];
  const labelsOfUsed = new Set<string>(AMBIENT_LABELS);
  for (const [, name, , matchers] of used) {
    const labels = series.get(name!);
    if (!labels) {
      problems.push(`${name} is not a metric of the platform`);
      continue;
    }
    labels.forEach((l) => labelsOfUsed.add(l));
    for (const [, label] of (matchers ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!=|!~|=)/g)) {
      if (!labels.has(label!)) problems.push(`${name} has no label ${label}`);
    }
  }
  for (const [, grouping] of expr.matchAll(/\b(?:by|without)\s*\(([^)]*)\)/g)) {
    for (const label of grouping!.split(',').map((l) => l.trim()).filter(Boolean)) {
      if (!labelsOfUsed.has(label)) problems.push(`no series of "${expr}" has the label ${label}`);
    }
  }
  return problems;
}

function dashboardPanels(panels: Array<Record<string, any>>): Array<Record<string, any>> {
  return panels.flatMap((p) => (p.type === 'row' ? dashboardPanels(p.panels ?? []) : [p]));
}

const series = exposedSeries();
const dashboardExprs: string[] = dashboardPanels(dashboard.panels).flatMap((p) => (p.targets ?? []).map((t: { expr: string }) => t.expr));
const alertRules = alerts.groups.flatMap((g) => g.rules);

describe('Grafana dashboard and Prometheus alerts', () => {
  it('reads the metric list from the code, and the check catches a metric or label that does not exist', () => {
    expect(series.get('hubspot_ai_kafka_consumer_lag')).toEqual(new Set(['group', 'topic', 'partition', ...AMBIENT_LABELS]));
    expect(series.has('hubspot_ai_model_latency_seconds_bucket')).toBe(true);
    expect(series.has('hubspot_ai_outbox_oldest_pending_seconds')).toBe(true);
    expect(problemsOf('sum(rate(hubspot_ai_no_such_thing_total[5m]))', series)).toEqual(['hubspot_ai_no_such_thing_total is not a metric of the platform']);
    expect(problemsOf('hubspot_ai_ready{portal="1"}', series)).toEqual(['hubspot_ai_ready has no label portal']);
    expect(problemsOf('sum by (portal) (hubspot_ai_ready)', series)).toHaveLength(1);
  });

  it('the dashboard uses only metrics and labels the platform exposes', () => {
    expect(dashboardExprs.length).toBeGreaterThan(20);
    expect(dashboardExprs.flatMap((expr) => problemsOf(expr, series))).toEqual([]);
  });

  it('every alert uses only metrics and labels the platform exposes', () => {
    expect(alertRules.flatMap((rule) => problemsOf(rule.expr, series))).toEqual([]);
  });

  it('the dashboard is importable: uid, title, a Prometheus datasource input every panel uses, unique panel ids', () => {
    expect(dashboard).toMatchObject({ uid: expect.stringMatching(/^[a-z0-9-]{1,40}$/), title: expect.any(String), schemaVersion: expect.any(Number) });
    expect(dashboard.__inputs).toEqual([expect.objectContaining({ name: 'DS_PROMETHEUS', type: 'datasource', pluginId: 'prometheus' })]);
    const panels = dashboardPanels(dashboard.panels);
    for (const panel of panels) {
      expect(panel.datasource).toEqual({ type: 'prometheus', uid: '${DS_PROMETHEUS}' });
      expect(panel.targets.length).toBeGreaterThan(0);
      expect(panel.gridPos).toEqual({ h: expect.any(Number), w: expect.any(Number), x: expect.any(Number), y: expect.any(Number) });
    }
    const ids = dashboard.panels.map((p: { id: number }) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('has the alerts the runbook promises, each with a summary and a runbook section that exists', () => {
    const names = alertRules.map((rule) => rule.alert as string);
    for (const expected of ['ServiceDown', 'ServiceNotReady', 'ConsumerLagHigh', 'DeadLetters', 'RateLimited', 'BudgetNearLimit', 'ModelFailures', 'OutboxLag', 'SchedulerMissedRuns']) {
      expect(names).toContain(`HubSpotAi${expected}`);
    }
    const anchors = new Set([...runbook.matchAll(/^#+ (.+)$/gm)].map(([, heading]) => heading!.trim().toLowerCase().replace(/[^a-z0-9 -]/g, '').replace(/ /g, '-')));
    for (const rule of alertRules) {
      expect(rule.annotations?.summary).toEqual(expect.any(String));
      const [, anchor] = /^docs\/runbook\.md#(.+)$/.exec(rule.annotations?.runbook ?? '') ?? [];
      expect({ alert: rule.alert, anchor: anchor && anchors.has(anchor) ? anchor : `missing: ${rule.annotations?.runbook}` }).toEqual({ alert: rule.alert, anchor });
    }
  });
});
