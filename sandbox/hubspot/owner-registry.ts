import { formatInstant } from './instant-format.util';

export type OwnerType = 'PERSON' | 'QUEUE';

export interface OwnerTeam {
  id: string;
  name: string;
  primary: boolean;
}

/** What `HubSpotSandbox.addOwner` takes: only `email` is required. */
export interface AddOwnerInput {
  /** Digits; assigned when absent. */
  id?: string;
  email: string;
  firstName?: string;
  lastName?: string;
  /** The HubSpot user behind the owner; assigned for a PERSON when absent, none for a QUEUE. */
  userId?: number;
  type?: OwnerType;
  teams?: OwnerTeam[];
}

export interface StoredOwner {
  id: string;
  email: string;
  firstName?: string;
  lastName?: string;
  userId?: number;
  type: OwnerType;
  teams: OwnerTeam[];
  archived: boolean;
  createdAt: number;
  updatedAt: number;
}

/**
 * An owner as `GET /crm/owners/2026-03/{ownerId}` (and `/crm/v3/owners/{ownerId}`) returns it (the
 * `PublicOwner` schema of the spec). An archived (deactivated) owner keeps its id; its user id moves from
 * `userId` to `userIdIncludingInactive` only (HubSpot's owners guide: "For archived users ... the userId value
 * will be null").
 */
export function publicOwner(owner: StoredOwner): Record<string, unknown> {
  return {
    id: owner.id,
    email: owner.email,
    type: owner.type,
    ...(owner.firstName !== undefined ? { firstName: owner.firstName } : {}),
    ...(owner.lastName !== undefined ? { lastName: owner.lastName } : {}),
    ...(owner.userId !== undefined && !owner.archived ? { userId: owner.userId } : {}),
    ...(owner.userId !== undefined ? { userIdIncludingInactive: owner.userId } : {}),
    createdAt: formatInstant(owner.createdAt),
    updatedAt: formatInstant(owner.updatedAt),
    archived: owner.archived,
    teams: owner.teams.map((t) => ({ ...t })),
  };
}

const FIRST_OWNER_ID = 70_000_001;
const FIRST_USER_ID = 9_000_001;

/** The owners of one portal (HubSpot users and queues records can be assigned to). */
export class OwnerRegistry {
  private readonly owners = new Map<string, StoredOwner>();
  private nextId = FIRST_OWNER_ID;
  private nextUserId = FIRST_USER_ID;

  add(input: AddOwnerInput, now: number): StoredOwner {
    if (typeof input !== 'object' || input === null) throw new Error('addOwner: expected an owner object');
    if (typeof input.email !== 'string' || !/^[^\s@]+@[^\s@]+$/.test(input.email)) throw new Error('addOwner: email is required');
    if (input.id !== undefined && !/^\d{1,20}$/.test(String(input.id))) throw new Error(`addOwner: id ${String(input.id)} must be digits`);
    const type = input.type ?? 'PERSON';
    if (type !== 'PERSON' && type !== 'QUEUE') throw new Error(`addOwner: type must be PERSON or QUEUE, not ${String(type)}`);
    const id = input.id !== undefined ? String(input.id) : this.freshId();
    if (this.owners.has(id)) throw new Error(`addOwner: owner ${id} exists`);
    if (input.userId !== undefined && !Number.isInteger(input.userId)) throw new Error('addOwner: userId must be an integer');
    const userId = input.userId ?? (type === 'PERSON' ? this.nextUserId++ : undefined);
    const owner: StoredOwner = {
      id,
      email: input.email,
      ...(input.firstName !== undefined ? { firstName: input.firstName } : {}),
      ...(input.lastName !== undefined ? { lastName: input.lastName } : {}),
      ...(userId !== undefined ? { userId } : {}),
      type,
      teams: (input.teams ?? []).map((t) => ({ id: String(t.id), name: String(t.name), primary: t.primary === true })),
      archived: false,
      createdAt: now,
      updatedAt: now,
    };
    this.owners.set(id, owner);
    return owner;
  }

  /** Deactivates an owner (as removing the user from the portal does): it is then only listed with `archived=true`. */
  archive(ownerId: string, now: number): StoredOwner {
    const owner = this.owners.get(String(ownerId));
    if (!owner) throw new Error(`archiveOwner: no owner ${ownerId}`);
    if (!owner.archived) {
      owner.archived = true;
      owner.updatedAt = now;
    }
    return owner;
  }

  /** One owner whose archived flag is `archived`, by `id` or by `userId` (`idProperty`). */
  find(key: string, archived: boolean, idProperty: 'id' | 'userId' = 'id'): StoredOwner | undefined {
    if (idProperty === 'id') {
      const owner = this.owners.get(key);
      return owner && owner.archived === archived ? owner : undefined;
    }
    return this.all().find((o) => o.archived === archived && o.userId !== undefined && String(o.userId) === key);
  }

  /** Owners whose archived flag is `archived`, ordered by id; `email` matches case-insensitively. */
  list(archived: boolean, email?: string): StoredOwner[] {
    const wanted = email?.toLowerCase();
    return this.all().filter((o) => o.archived === archived && (wanted === undefined || o.email.toLowerCase() === wanted));
  }

  /** Whether any owner (active or not) was registered: the sandbox checks owner ids of writes only then. */
  hasAny(): boolean {
    return this.owners.size > 0;
  }

  isActive(ownerId: string): boolean {
    return this.owners.get(ownerId)?.archived === false;
  }

  private all(): StoredOwner[] {
    return [...this.owners.values()].sort((a, b) => compareIds(a.id, b.id));
  }

  private freshId(): string {
    while (this.owners.has(String(this.nextId))) this.nextId += 1;
    return String(this.nextId++);
  }
}

function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}
