import type { TicketCategory, TicketPriority } from '@app/common';
import type { Sentiment, TicketTriage } from './ticket-triage.answer';

/** Ticket categories by the words that signal them; the first match wins. */
const CATEGORY_RULES: ReadonlyArray<[TicketCategory, RegExp]> = [
  ['cancellation', /\b(cancel\w*|terminate|close my account|unsubscribe)\b/i],
  ['billing_issue', /\b(invoice\w*|billing|billed|charge[ds]?|refund\w*|payment|overcharged|receipt)\b/i],
  ['account_access', /\b(password|log ?in|sign ?in|locked out|2fa|sso|access)\b/i],
  ['technical_issue', /\b(error|bug|crash\w*|broken|outage|down|not working|fails?|failed|failing|timeout)\b/i],
  ['feature_request', /\b(feature|would be great|could you add|request|wish)\b/i],
  ['product_question', /\b(how (do|can|to)|question|is it possible|does it)\b|\?/i],
];
const ANGRY = /\b(unacceptable|furious|ridiculous|worst|outrageous|scam|lawyer)\b|!!/i;
const FRUSTRATED = /\b(still|again|frustrat\w*|disappoint\w*|annoy\w*|third time|no one|nobody|waiting)\b/i;
const POSITIVE = /\b(thanks?|thank you|great|love|appreciate|awesome)\b/i;
const URGENT = /\b(outage|down for everyone|security|breach|data loss|lost (all|our) data)\b/i;
const BLOCKED = /\b(can'?t|cannot|unable|blocked|stuck)\b/i;

/** Transparent triage: category, sentiment and priority from the words of the ticket and its emails. */
export function triageTicket(facts: Record<string, string>): { category: TicketCategory; sentiment: Sentiment; priority: TicketPriority; reasons: string[] } {
  const text = [facts.subject, facts.content, ...Object.entries(facts).filter(([k]) => /^emails\.\d+\.hs_email_(subject|text)$/.test(k)).map(([, v]) => v)]
    .filter(Boolean)
    .join('\n');
  const category = CATEGORY_RULES.find(([, pattern]) => pattern.test(text))?.[0] ?? 'other';
  const sentiment: Sentiment = ANGRY.test(text) ? 'angry' : FRUSTRATED.test(text) ? 'frustrated' : POSITIVE.test(text) ? 'positive' : 'neutral';
  const priority: TicketPriority = URGENT.test(text) || category === 'cancellation'
    ? 'URGENT'
    : sentiment === 'angry' || BLOCKED.test(text)
      ? 'HIGH'
      : category === 'technical_issue' || category === 'billing_issue' || category === 'account_access'
        ? 'MEDIUM'
        : 'LOW';
  return { category, sentiment, priority, reasons: [`category ${category}`, `sentiment ${sentiment}`, `priority ${priority}`] };
}

/** Service AI without a model: the rules' triage, a summary that says so, and a template reply. */
export function ticketOfflineAnswer(facts: Record<string, string>): TicketTriage {
  const { category, sentiment, priority } = triageTicket(facts);
  const greeting = facts['contacts.1.firstname'] ? `Hi ${facts['contacts.1.firstname']},` : 'Hello,';
  const topic = facts.subject ? `"${facts.subject}"` : 'your request';
  return {
    category,
    sentiment,
    priority,
    summary: `[Offline rules-based triage, not AI] ${category.replace(/_/g, ' ')}, ${sentiment} tone, ${priority.toLowerCase()} priority: ${topic}.`,
    replyDraft: `${greeting}\n\nThank you for getting in touch about ${topic}. We have logged it and an agent will get back to you shortly.\n\n[Template reply from the offline rules-based provider, not AI]`,
  };
}
