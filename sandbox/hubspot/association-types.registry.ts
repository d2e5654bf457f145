import type { CrmObjectType } from './hubspot.types';

export interface AssociationTypeDef {
  from: CrmObjectType;
  to: CrmObjectType;
  typeId: number;
  /** null for the unlabeled (default) association. */
  label: string | null;
  /** The type id of the same association read from the other side. */
  reverseTypeId: number;
  isDefault: boolean;
  /**
   * For `Primary` labels: which side may have only one such association (a contact, deal or ticket has one
   * primary company; a company can be the primary company of many records).
   */
  singleSide?: 'from' | 'to';
}

/**
 * [from, to, default type id, reverse default type id, primary type id?, reverse primary type id?]
 *
 * Ids as HubSpot defines them (same in every account), as listed by HubSpot's own SDKs: the `AssociationTypes`
 * enum of @hubspot/api-client (`lib/src/enums/AssociationTypes`) and `Hubspot::Helpers::AssociationType` of
 * hubspot-api-ruby, which agree on every id below.
 */
type Pair = [CrmObjectType, CrmObjectType, number, number, number?, number?];

const PAIRS: Pair[] = [
  ['contacts', 'companies', 279, 280, 1, 2],
  ['deals', 'contacts', 3, 4],
  ['deals', 'companies', 341, 342, 5, 6],
  ['tickets', 'contacts', 16, 15],
  ['tickets', 'companies', 339, 340, 26, 25],
  ['deals', 'tickets', 27, 28],
  ['notes', 'contacts', 202, 201],
  ['notes', 'companies', 190, 189],
  ['notes', 'deals', 214, 213],
  ['notes', 'tickets', 228, 227],
  ['tasks', 'contacts', 204, 203],
  ['tasks', 'companies', 192, 191],
  ['tasks', 'deals', 216, 215],
  ['tasks', 'tickets', 230, 229],
  ['emails', 'contacts', 198, 197],
  ['emails', 'companies', 186, 185],
  ['emails', 'deals', 210, 209],
  ['emails', 'tickets', 224, 223],
];

const DEFS: AssociationTypeDef[] = PAIRS.flatMap(([from, to, forward, reverse, primary, reversePrimary]) => {
  const defs: AssociationTypeDef[] = [
    { from, to, typeId: forward, label: null, reverseTypeId: reverse, isDefault: true },
    { from: to, to: from, typeId: reverse, label: null, reverseTypeId: forward, isDefault: true },
  ];
  if (primary !== undefined && reversePrimary !== undefined) {
    defs.push({ from, to, typeId: primary, label: 'Primary', reverseTypeId: reversePrimary, isDefault: false, singleSide: 'from' });
    defs.push({ from: to, to: from, typeId: reversePrimary, label: 'Primary', reverseTypeId: primary, isDefault: false, singleSide: 'to' });
  }
  return defs;
});

/** The HubSpot-defined association type with this id between the two object types, if any. */
export function findAssociationType(from: CrmObjectType, to: CrmObjectType, typeId: number): AssociationTypeDef | undefined {
  return DEFS.find((d) => d.from === from && d.to === to && d.typeId === typeId);
}

/** The default (unlabeled) association type between two object types. */
export function defaultAssociationType(from: CrmObjectType, to: CrmObjectType): AssociationTypeDef | undefined {
  return DEFS.find((d) => d.from === from && d.to === to && d.isDefault);
}

export function associationTypesBetween(from: CrmObjectType, to: CrmObjectType): AssociationTypeDef[] {
  return DEFS.filter((d) => d.from === from && d.to === to);
}

/**
 * v3 association type names as `?associations=` returns them: `note_to_contact`; for pairs that have a primary
 * label, `contact_to_company` is the primary one and `contact_to_company_unlabeled` the default one.
 */
export function associationTypeName(def: AssociationTypeDef, singular: (t: CrmObjectType) => string): string {
  const base = `${singular(def.from)}_to_${singular(def.to)}`;
  if (def.label === 'Primary') return base;
  const hasPrimary = DEFS.some((d) => d.from === def.from && d.to === def.to && d.label === 'Primary');
  return hasPrimary ? `${base}_unlabeled` : base;
}
