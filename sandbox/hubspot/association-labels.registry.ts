import type { CrmObjectType } from './hubspot.types';
import type { AssociationTypeDef } from './association-types.registry';

/** A portal's own (USER_DEFINED) association label, one direction of it. */
export interface UserDefinedAssociationType extends AssociationTypeDef {
  category: 'USER_DEFINED';
  label: string;
  /** The label's internal name (`name` of the create request). */
  name: string;
}

export type DefineLabelOutcome =
  | { ok: true; forward: UserDefinedAssociationType; reverse?: UserDefinedAssociationType }
  | { ok: false; message: string };

/** First id handed out; HubSpot's USER_DEFINED type ids are account-specific, so two portals can give one id different meanings. */
export const FIRST_USER_DEFINED_TYPE_ID = 1000;

/**
 * The USER_DEFINED association labels of one portal. Defining a label between two different object types gives two
 * type ids, one per direction (the reverse one labeled `inverseLabel`, or the same label); between records of one
 * type without `inverseLabel`, one id serves both directions.
 */
export class PortalAssociationLabels {
  private nextId = FIRST_USER_DEFINED_TYPE_ID;
  private readonly defs: UserDefinedAssociationType[] = [];

  define(from: CrmObjectType, to: CrmObjectType, label: string, options: { name?: string; inverseLabel?: string } = {}): DefineLabelOutcome {
    if (label.trim() === '') return { ok: false, message: 'label must not be empty' };
    const name = options.name ?? (label.toLowerCase().replace(/[^a-z0-9]+/g, '_').replace(/^_+|_+$/g, '') || 'label');
    if (this.defs.some((d) => d.from === from && d.to === to && d.name === name)) {
      return { ok: false, message: `An association label named ${name} already exists from ${from} to ${to}` };
    }
    const typeId = this.nextId;
    const paired = from !== to || options.inverseLabel !== undefined;
    const reverseTypeId = paired ? typeId + 1 : typeId;
    this.nextId += paired ? 2 : 1;
    const forward: UserDefinedAssociationType = { from, to, typeId, label, reverseTypeId, isDefault: false, category: 'USER_DEFINED', name };
    this.defs.push(forward);
    if (!paired) return { ok: true, forward };
    const reverse: UserDefinedAssociationType = {
      from: to,
      to: from,
      typeId: reverseTypeId,
      label: options.inverseLabel ?? label,
      reverseTypeId: typeId,
      isDefault: false,
      category: 'USER_DEFINED',
      name: options.inverseLabel !== undefined ? `${name}_inverse` : name,
    };
    this.defs.push(reverse);
    return { ok: true, forward, reverse };
  }

  /**
   * Renames a label; its reverse side takes `inverseLabel` when given, else follows the label when it had the same
   * one. False when the type id is not one of the portal's labels from `from` to `to`.
   */
  update(from: CrmObjectType, to: CrmObjectType, typeId: number, label: string, inverseLabel?: string): boolean {
    const def = this.find(from, to, typeId);
    if (!def) return false;
    const reverse = def.reverseTypeId !== def.typeId ? this.find(to, from, def.reverseTypeId) : undefined;
    if (reverse && (inverseLabel !== undefined || reverse.label === def.label)) reverse.label = inverseLabel ?? label;
    def.label = label;
    return true;
  }

  find(from: CrmObjectType, to: CrmObjectType, typeId: number): UserDefinedAssociationType | undefined {
    return this.defs.find((d) => d.from === from && d.to === to && d.typeId === typeId);
  }

  /** The label with this id between any two types (type ids are unique within a portal). */
  byId(typeId: number): UserDefinedAssociationType | undefined {
    return this.defs.find((d) => d.typeId === typeId);
  }

  between(from: CrmObjectType, to: CrmObjectType): UserDefinedAssociationType[] {
    return this.defs.filter((d) => d.from === from && d.to === to);
  }
}
