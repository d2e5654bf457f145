import type { CrmObjectType } from './hubspot.types';

export interface ObjectTypeInfo {
  name: CrmObjectType;
  /** HubSpot object type id, e.g. `0-1` for contacts. */
  typeId: string;
  /** Upper-case name used in HubSpot messages, e.g. `CONTACT`. */
  upper: string;
  /** Singular used in webhook subscription types, e.g. `contact`. */
  singular: string;
  /** Returned by GET/search when no properties are requested. */
  defaultProperties: string[];
  /** Always returned, whatever was requested. */
  alwaysProperties: string[];
  createdProperty: string;
  modifiedProperty: string;
  /** Properties that must be present when creating. */
  requiredOnCreate: string[];
  /** Whether webhook subscriptions exist for the type. */
  webhooks: boolean;
}

const TYPES: Record<CrmObjectType, ObjectTypeInfo> = {
  contacts: {
    name: 'contacts',
    typeId: '0-1',
    upper: 'CONTACT',
    singular: 'contact',
    defaultProperties: ['createdate', 'email', 'firstname', 'hs_object_id', 'lastmodifieddate', 'lastname'],
    alwaysProperties: ['createdate', 'hs_object_id', 'lastmodifieddate'],
    createdProperty: 'createdate',
    modifiedProperty: 'lastmodifieddate',
    requiredOnCreate: [],
    webhooks: true,
  },
  companies: {
    name: 'companies',
    typeId: '0-2',
    upper: 'COMPANY',
    singular: 'company',
    defaultProperties: ['createdate', 'domain', 'hs_lastmodifieddate', 'hs_object_id', 'name'],
    alwaysProperties: ['createdate', 'hs_lastmodifieddate', 'hs_object_id'],
    createdProperty: 'createdate',
    modifiedProperty: 'hs_lastmodifieddate',
    requiredOnCreate: [],
    webhooks: true,
  },
  deals: {
    name: 'deals',
    typeId: '0-3',
    upper: 'DEAL',
    singular: 'deal',
    defaultProperties: [
      'amount',
      'closedate',
      'createdate',
      'dealname',
      'dealstage',
      'hs_lastmodifieddate',
      'hs_object_id',
      'pipeline',
    ],
    alwaysProperties: ['createdate', 'hs_lastmodifieddate', 'hs_object_id'],
    createdProperty: 'createdate',
    modifiedProperty: 'hs_lastmodifieddate',
    requiredOnCreate: [],
    webhooks: true,
  },
  tickets: {
    name: 'tickets',
    typeId: '0-5',
    upper: 'TICKET',
    singular: 'ticket',
    defaultProperties: [
      'content',
      'createdate',
      'hs_lastmodifieddate',
      'hs_object_id',
      'hs_pipeline',
      'hs_pipeline_stage',
      'hs_ticket_category',
      'hs_ticket_priority',
      'subject',
    ],
    alwaysProperties: ['createdate', 'hs_lastmodifieddate', 'hs_object_id'],
    createdProperty: 'createdate',
    modifiedProperty: 'hs_lastmodifieddate',
    requiredOnCreate: [],
    webhooks: true,
  },
  notes: {
    name: 'notes',
    typeId: '0-46',
    upper: 'NOTE',
    singular: 'note',
    defaultProperties: ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id'],
    alwaysProperties: ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id'],
    createdProperty: 'hs_createdate',
    modifiedProperty: 'hs_lastmodifieddate',
    requiredOnCreate: ['hs_timestamp'],
    webhooks: false,
  },
  tasks: {
    name: 'tasks',
    typeId: '0-27',
    upper: 'TASK',
    singular: 'task',
    defaultProperties: ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id'],
    alwaysProperties: ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id'],
    createdProperty: 'hs_createdate',
    modifiedProperty: 'hs_lastmodifieddate',
    requiredOnCreate: ['hs_timestamp'],
    webhooks: false,
  },
  emails: {
    name: 'emails',
    typeId: '0-49',
    upper: 'EMAIL',
    singular: 'email',
    defaultProperties: ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id'],
    alwaysProperties: ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id'],
    createdProperty: 'hs_createdate',
    modifiedProperty: 'hs_lastmodifieddate',
    requiredOnCreate: ['hs_timestamp'],
    webhooks: false,
  },
};

export const OBJECT_TYPES: readonly CrmObjectType[] = Object.keys(TYPES) as CrmObjectType[];

export function objectTypeInfo(type: CrmObjectType): ObjectTypeInfo {
  return TYPES[type];
}

/** Accepts `contacts`, `contact`, `CONTACTS` and `0-1` alike. */
export function resolveObjectType(raw: string): CrmObjectType | undefined {
  const key = raw.trim().toLowerCase();
  for (const info of Object.values(TYPES)) {
    if (key === info.name || key === info.singular || key === info.typeId) return info.name;
  }
  return undefined;
}

/** The object type of a webhook subscription prefix (`contact` → `contacts`). */
export function objectTypeForSingular(singular: string): CrmObjectType | undefined {
  return Object.values(TYPES).find((info) => info.singular === singular)?.name;
}
