import type { TicketCategory, TicketPriority } from '@app/common';
import type { Persona } from '../lead-ai/lead-assessment.dto';
import type { Sentiment } from '../service-ai/ticket-triage.dto';
import type { RenderedPrompt } from '../prompts/prompt';
import { AiProviderError, NO_USAGE, type AiAnswer, type AiProvider } from './ai-provider';

export const OFFLINE_MODEL = 'offline-rules-v1';
export const OFFLINE_LABEL = 'Offline rules-based provider: no AI model was called (ANTHROPIC_API_KEY is not set)';

const FREE_MAIL = /^(gmail|yahoo|hotmail|outlook|live|icloud|aol|proton(mail)?|gmx|web)\./i;
const INTENT = /\b(demo|pricing|price|quote|buy|purchase|trial|contract|budget|asap|urgent)\b/i;

interface Rule {
  points: number;
  reason: string;
  applies: (facts: Record<string, string>) => boolean;
}

/** Transparent, documented rules: every point in a score can be traced to one of these. */
export const LEAD_RULES: readonly Rule[] = [
  { points: 20, reason: 'works at a named company', applies: (f) => Boolean(f.company) },
  { points: 15, reason: 'uses a business email domain', applies: (f) => Boolean(emailDomain(f)) && !FREE_MAIL.test(emailDomain(f)!) },
  { points: 25, reason: 'senior role', applies: (f) => /\b(ceo|cto|cfo|coo|founder|owner|president|vp|vice president|director|head)\b/i.test(f.jobtitle ?? '') },
  { points: 10, reason: 'manager role', applies: (f) => /\bmanager\b/i.test(f.jobtitle ?? '') },
  { points: 20, reason: 'message shows buying intent', applies: (f) => INTENT.test(f.message ?? '') },
  // HubSpot's numemployees is a range such as '5-25' or '1000+'.
  { points: 10, reason: 'company size given', applies: (f) => /\d/.test(f.numemployees ?? '') },
];

/** The scorer sees pseudonymised facts: the domain travels as its own fact, the address as a placeholder. */
function emailDomain(facts: Record<string, string>): string | undefined {
  return facts.email_domain ?? /@([^@\s]+)$/.exec(facts.email ?? '')?.[1];
}

export function scoreLead(facts: Record<string, string>): { score: number; persona: Persona; reasons: string[] } {
  const matched = LEAD_RULES.filter((rule) => rule.applies(facts));
  const score = Math.min(100, matched.reduce((sum, rule) => sum + rule.points, 0));
  return { score, persona: personaOf(facts.jobtitle ?? ''), reasons: matched.map((r) => `+${r.points} ${r.reason}`) };
}

function personaOf(jobTitle: string): Persona {
  if (/\b(ceo|cto|cfo|coo|founder|owner|president|vp|vice president|director|head)\b/i.test(jobTitle)) return 'decision_maker';
  if (/\bmanager|lead\b/i.test(jobTitle)) return 'influencer';
  if (/\b(engineer|developer|specialist|analyst|consultant|agent|associate)\b/i.test(jobTitle)) return 'practitioner';
  if (/\b(student|researcher)\b/i.test(jobTitle)) return 'researcher';
  return 'unknown';
}

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

/**
 * Used when no Anthropic key is configured, so the platform runs end to end on a
 * fresh machine. It never pretends to be a model: every decision it makes carries
 * provider "offline-rules", model "offline-rules-v1" and a label saying so.
 */
export class OfflineRulesProvider implements AiProvider {
  readonly name = 'offline-rules' as const;

  modelFor(): string {
    return OFFLINE_MODEL;
  }

  async answer(prompt: RenderedPrompt, facts: Record<string, string>): Promise<AiAnswer> {
    const answered = (output: Record<string, unknown>): AiAnswer => ({
      provider: 'offline-rules',
      model: OFFLINE_MODEL,
      input: { promptId: prompt.promptId, promptVersion: prompt.promptVersion, facts },
      output,
      raw: output,
      usage: NO_USAGE,
      latencyMs: 0,
      label: OFFLINE_LABEL,
    });
    if (prompt.promptId === 'lead-scoring') {
      const { score, persona, reasons } = scoreLead(facts);
      const summary = `[Offline rules-based score, not AI] ${score}/100: ${reasons.length > 0 ? reasons.join(', ') : 'no qualifying signals'}.`;
      return answered({ score, persona, summary, recommendedAction: score >= 60 ? 'Call within one business day' : 'Add to nurture sequence' });
    }
    if (prompt.promptId === 'ticket-triage') {
      const { category, sentiment, priority } = triageTicket(facts);
      const greeting = facts['contacts.1.firstname'] ? `Hi ${facts['contacts.1.firstname']},` : 'Hello,';
      const topic = facts.subject ? `"${facts.subject}"` : 'your request';
      return answered({
        category,
        sentiment,
        priority,
        summary: `[Offline rules-based triage, not AI] ${category.replace(/_/g, ' ')}, ${sentiment} tone, ${priority.toLowerCase()} priority: ${topic}.`,
        replyDraft: `${greeting}\n\nThank you for getting in touch about ${topic}. We have logged it and an agent will get back to you shortly.\n\n[Template reply from the offline rules-based provider, not AI]`,
      });
    }
    throw new AiProviderError(`the offline provider has no rules for prompt ${prompt.promptId}`, 'request-rejected', { code: 'no-rules', setting: null, model: OFFLINE_MODEL });
  }
}
