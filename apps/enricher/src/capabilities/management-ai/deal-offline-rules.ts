import type { DealHealth, StallReason } from './deal-health.answer';

/** Points off a healthy deal's 80 for each of the review's findings; the stage's probability adds up to 20. */
export const DEAL_HEALTH_RULES: ReadonlyArray<{ finding: string; points: number; stall: StallReason; nextStep: string }> = [
  { finding: 'stale', points: 30, stall: 'no_recent_activity', nextStep: 'Contact the buyer this week and log the conversation.' },
  { finding: 'close-date-passed', points: 25, stall: 'close_date_slipped', nextStep: 'Confirm the buying timeline with the customer and move the close date.' },
  { finding: 'missing-next-step', points: 10, stall: 'no_next_step', nextStep: 'Agree the next step with the buyer and record it on the deal.' },
  { finding: 'missing-amount', points: 10, stall: 'missing_information', nextStep: 'Fill in the amount from the latest proposal.' },
  { finding: 'missing-close-date', points: 10, stall: 'missing_information', nextStep: 'Set the expected close date.' },
  { finding: 'missing-owner', points: 10, stall: 'missing_information', nextStep: 'Assign an owner to the deal.' },
  { finding: 'unknown-stage', points: 10, stall: 'missing_information', nextStep: 'Move the deal to a stage of a current pipeline.' },
];

/** The review's findings as `derived.attention` says them: comma-separated, or `none` (findingsOf reads them back). */
export function attentionFact(findings: readonly string[]): string {
  return findings.length > 0 ? findings.join(', ') : 'none';
}

/** The review's findings as `derived.attention` says them: comma-separated, or `none`. */
export function findingsOf(facts: Record<string, string>): string[] {
  const said = facts['derived.attention'] ?? '';
  return said === 'none' ? [] : said.split(',').map((f) => f.trim()).filter(Boolean);
}

/**
 * Management AI without a model: transparent rules over the review's findings and
 * the stage's probability; the first finding in DEAL_HEALTH_RULES' order names the
 * stall reason and the next step; the summary says it is not AI.
 */
export function dealOfflineAnswer(facts: Record<string, string>): DealHealth {
  const findings = findingsOf(facts);
  const matched = DEAL_HEALTH_RULES.filter((rule) => findings.includes(rule.finding));
  const probability = Number(facts.hs_deal_stage_probability);
  const stageBonus = Number.isFinite(probability) && probability >= 0 && probability <= 1 ? Math.round(probability * 20) : 0;
  const healthScore = Math.max(0, Math.min(100, 80 + stageBonus - matched.reduce((sum, rule) => sum + rule.points, 0)));
  const first = matched[0];
  const because = matched.length > 0 ? matched.map((rule) => `${rule.finding.replace(/-/g, ' ')} (−${rule.points})`).join(', ') : 'no finding';
  return {
    healthScore,
    stallReason: first?.stall ?? 'none',
    attention: matched.length > 0 || healthScore < 40,
    nextStep: first?.nextStep ?? (facts.hs_next_step ? `Carry on: ${facts.hs_next_step}` : 'Keep the deal moving as planned.'),
    summary: `[Offline rules-based review, not AI] Health ${healthScore}/100 from the review's findings: ${because}; stage probability +${stageBonus}.`,
  };
}
