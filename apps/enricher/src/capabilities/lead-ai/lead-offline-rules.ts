import type { LeadAssessment, Persona } from './lead-assessment.answer';

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

/** Lead AI without a model: the rules' score and persona, a summary that says so, and a next step by score. */
export function leadOfflineAnswer(facts: Record<string, string>): LeadAssessment {
  const { score, persona, reasons } = scoreLead(facts);
  const summary = `[Offline rules-based score, not AI] ${score}/100: ${reasons.length > 0 ? reasons.join(', ') : 'no qualifying signals'}.`;
  return { score, persona, summary, recommendedAction: score >= 60 ? 'Call within one business day' : 'Add to nurture sequence' };
}
