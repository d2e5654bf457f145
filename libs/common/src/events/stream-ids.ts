/** Stream naming: one stream per CRM object per portal, plus a few per-portal streams. */
export const StreamIds = {
  crmObject: (portalId: number, objectType: string, objectId: string | number) => `crm-${portalId}-${objectType}-${objectId}`,
  portal: (portalId: number) => `portal-${portalId}`,
  webhookRejections: (portalId: number) => `webhook-rejections-${portalId}`,
  schedule: (portalId: number) => `schedule-${portalId}`,
  hubspotCalls: (portalId: number) => `hubspot-calls-${portalId}`,
  deadLetters: (portalId: number) => `dead-letters-${portalId}`,
  /** One replay: its request, its answers, its progress, and what applying it wrote. */
  replay: (portalId: number, replayId: string) => `replay-${portalId}-${replayId}`,
  /** Retention and offboarding erasures of a portal's personal data (a subject's erasure goes on its record's stream). */
  privacy: (portalId: number) => `privacy-${portalId}`,
  /** One backfill: its request, progress and end (its records' decisions go on their own streams). */
  backfill: (portalId: number, backfillId: string) => `backfill-${portalId}-${backfillId}`,
  /** One daily pipeline review of a portal: `localDate` is the portal's LOCAL date the review was scheduled for (YYYY-MM-DD). */
  review: (portalId: number, localDate: string) => `review-${portalId}-${localDate}`,
};
