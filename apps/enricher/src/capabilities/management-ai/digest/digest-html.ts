import type { DigestDeal, LeadershipDigest, OwnerDigest } from '@app/common';
import { escapeHtml } from '../../../writebacks/writeback-commands';

/** Deals shown per section of a task body: HubSpot keeps a task body to 65,536 characters; the rest are counted. */
const DEALS_SHOWN = 40;

export interface RenderedDigest {
  subject: string;
  /** Simple HTML (HubSpot shows a task body as rich text). */
  body: string;
}

/** An owner's digest as a HubSpot task. Pure. */
export function renderOwnerDigest(digest: OwnerDigest, date: string): RenderedDigest {
  const n = digest.deals.length;
  return {
    subject: `Pipeline review ${date}: ${n} deal${n === 1 ? '' : 's'} need${n === 1 ? 's' : ''} your attention`,
    body: [`<p><strong>Your deals needing attention on ${escapeHtml(date)}</strong> (${n}, ${amount(digest.amount)} in all)</p>`, dealList(digest.deals)].join(''),
  };
}

/** The leadership digest as a HubSpot task. Pure. */
export function renderLeadershipDigest(digest: LeadershipDigest, date: string): RenderedDigest {
  const { counts, pipelines, atRisk, closingThisWeek, changes, unowned } = digest;
  const parts: string[] = [
    `<p><strong>Pipeline review ${escapeHtml(date)}</strong>: ${counts.openDeals} open deals, ${counts.needingAttention} needing attention` +
      (counts.needingAttentionLeftOut > 0 ? ` (${counts.needingAttentionLeftOut} of them not listed)` : '') +
      (counts.assessmentsPending > 0 ? `, ${counts.assessmentsPending} assessments pending` : '') +
      '.</p>',
    '<p><strong>Open pipeline against target</strong></p>',
    pipelines === null
      ? '<p>Not available: the review\'s facts were recorded before they totalled stages.</p>'
      : pipelines.length === 0
        ? '<p>No open deals and no targets.</p>'
        : `<ul>${pipelines
            .map(
              (p) =>
                `<li>${escapeHtml(p.pipeline ?? '(no pipeline)')}: ${amount(p.amount)} in ${p.deals} deals` +
                (p.target !== null ? ` against a target of ${amount(p.target)}${p.ofTarget !== null ? ` (${Math.round(p.ofTarget * 100)}%)` : ''}` : ', no target') +
                (p.stages.length > 0 ? `<br>${p.stages.map((s) => `${escapeHtml(s.stage ?? '(no stage)')}: ${amount(s.amount)} (${s.deals})`).join('; ')}` : '') +
                '</li>',
            )
            .join('')}</ul>`,
    `<p><strong>Deals at risk</strong> (${atRisk.deals.length}, ${amount(atRisk.amount)})</p>`,
    dealList(atRisk.deals),
    `<p><strong>Expected to close ${escapeHtml(closingThisWeek.from)} to ${escapeHtml(closingThisWeek.to)}</strong>` +
      (closingThisWeek.open ? `: ${closingThisWeek.open.deals} open deals, ${amount(closingThisWeek.open.amount)}` : '') +
      '. Of them, needing attention:</p>',
    dealList(closingThisWeek.needingAttention),
    `<p><strong>Since ${escapeHtml(changes.previousDate)}</strong></p>`,
    changes.kind === 'no-previous-review'
      ? '<p>No review was recorded that day.</p>'
      : `<p>Open deals ${signed(changes.openDeals.delta)} (${changes.openDeals.after}), needing attention ${signed(changes.needingAttention.delta)} (${changes.needingAttention.after})` +
        (changes.partial ? '; the lists below may be incomplete (a day listed only part of its deals)' : '') +
        `.</p><p>Newly needing attention (${changes.newlyNeedingAttention.length}):</p>${dealList(changes.newlyNeedingAttention)}` +
        `<p>No longer needing attention (${changes.noLongerNeedingAttention.length}):</p>` +
        list(changes.noLongerNeedingAttention, (d) => `${link(d.url, d.dealId)}: ${amount(d.amount)}`),
    `<p><strong>Deals without an owner</strong> (${unowned.length})</p>`,
    dealList(unowned),
  ];
  return { subject: `Pipeline review ${date}: leadership digest`, body: parts.join('') };
}

function dealList(deals: readonly DigestDeal[]): string {
  return list(deals, dealLine);
}

function dealLine(deal: DigestDeal): string {
  const a = deal.assessment;
  const head = `${link(deal.url, deal.dealId)}: ${amount(deal.amount)}, ${escapeHtml(deal.stage ?? '(no stage)')}, ${deal.reasons.map(escapeHtml).join(', ')}`;
  if (a.kind === 'pending') return `${head}<br>assessment pending`;
  const lines = [`health ${a.healthScore}${a.stallReason !== 'none' ? `, stalled: ${escapeHtml(a.stallReason)}` : ''}${a.attention ? ', needs attention' : ''}`];
  if (a.nextStep) lines.push(`next step: ${escapeHtml(a.nextStep)}`);
  if (a.summary) lines.push(escapeHtml(a.summary));
  return [head, ...lines].join('<br>');
}

function list<T>(items: readonly T[], line: (item: T) => string): string {
  if (items.length === 0) return '<p>None.</p>';
  const shown = items.slice(0, DEALS_SHOWN).map((item) => `<li>${line(item)}</li>`);
  const more = items.length > DEALS_SHOWN ? `<li>and ${items.length - DEALS_SHOWN} more (GET /admin/portals/:id/digests)</li>` : '';
  return `<ul>${shown.join('')}${more}</ul>`;
}

function link(url: string, dealId: string): string {
  return `<a href="${escapeHtml(url).replace(/"/g, '&quot;')}">deal ${escapeHtml(dealId)}</a>`;
}

function amount(value: number | null): string {
  return value === null ? 'no amount' : value.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

function signed(n: number): string {
  return n > 0 ? `+${n}` : String(n);
}
