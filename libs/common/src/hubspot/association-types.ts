import type { CrmObjectType } from '../events/event-types';

/**
 * HubSpot-defined association type ids from notes and tasks to the records they
 * are about (developers.hubspot.com/docs/api/crm/associations/v4: they differ per
 * pair, and a wrong one is a 400).
 */
const ENGAGEMENT_ASSOCIATION_TYPE_IDS: Record<'notes' | 'tasks', Partial<Record<CrmObjectType, number>>> = {
  notes: { contacts: 202, companies: 190, deals: 214, tickets: 228 },
  tasks: { contacts: 204, companies: 192, deals: 216, tickets: 230 },
};

export function engagementAssociationTypeId(from: 'notes' | 'tasks', to: CrmObjectType): number {
  const id = ENGAGEMENT_ASSOCIATION_TYPE_IDS[from][to];
  if (id === undefined) throw new Error(`no HubSpot-defined association from ${from} to ${to}`);
  return id;
}
