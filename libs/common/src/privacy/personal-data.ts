import type { DataSource, EntityManager } from 'typeorm';
import type { EventEnvelope } from '../events/envelope';
import { canonicalSubjects, defaultSubjects, personalFieldsOf } from './personal-fields';
import { erasedView, joinPersonal, openPart, sealedAad, sealedPartOf, sealPart, splitPersonal, SEALED_FIELD, type DataKey, type ErasedMarker } from './sealing';
import type { FoundKey, KeySlot, SubjectKeys } from './subject-keys';

/** One event about to be appended, with whose personal data it holds (default: see defaultSubjects). */
export interface SealRequest {
  event: EventEnvelope;
  streamId: string;
  subjects?: readonly string[];
}

type Readable = Pick<EventEnvelope, 'id' | 'portalId' | 'data'>;

/**
 * The one place personal data is sealed and opened (docs/decisions/0019). The event
 * store seals on append and opens on read; readers that query the events table
 * themselves (replays, the never-pay-twice lookup) open what they read here, and
 * the writer opens the commands it consumes. A payload whose keys are gone opens
 * as its clear fields plus an `erased` marker.
 */
export class PersonalData {
  /** The subjects each opened payload was sealed for (by object identity: never serialised). */
  private readonly subjects = new WeakMap<object, string[]>();
  /** The stored (sealed) payload of each opened one: what goes back to Kafka (a dead letter), never the opened data. */
  private readonly stored = new WeakMap<object, unknown>();

  constructor(readonly keys: SubjectKeys) {}

  /** Whether this process seals on append and opens on read (it has the keyring). */
  get enabled(): boolean {
    return this.keys.canSealAndOpen;
  }

  /**
   * The events with their personal fields sealed, the keys fetched or created in
   * `manager`'s transaction; `confirm` after it committed lets the new keys be cached.
   */
  async seal(manager: EntityManager | DataSource, requests: SealRequest[]): Promise<{ events: EventEnvelope[]; confirm(): void }> {
    const planned = requests.map(({ event, streamId, subjects }) => {
      const split = this.enabled ? splitPersonal(event.data, personalFieldsOf(event.type)) : undefined;
      if (!split) return { event };
      const slots: KeySlot[] = canonicalSubjects(subjects && subjects.length > 0 ? subjects : defaultSubjects(event, streamId)).map((subject) => ({
        portalId: event.portalId,
        subject,
        day: event.recordedAt.slice(0, 10),
      }));
      return { event, split, slots };
    });
    const slots = planned.flatMap((p) => p.slots ?? []);
    if (slots.length === 0) return { events: requests.map((r) => r.event), confirm: () => undefined };
    const { keys, confirm } = await this.keys.liveKeys(manager, slots);
    const events = planned.map(({ event, split, slots: own }) => {
      if (!split || !own) return event;
      const dataKeys = own.map((slot) => keys.get(`${slot.portalId}|${slot.subject}|${slot.day}`)!);
      return { ...event, data: { ...split.clear, [SEALED_FIELD]: sealPart(split.personal, dataKeys, sealedAad(event.portalId, event.id)) } };
    });
    return { events, confirm };
  }

  /**
   * Makes the data keys of these subjects for the day of `at` ready ahead of an
   * append (created where missing, in their own committed statement, and cached), so
   * that the append's transaction needs no key statement. For callers that know the
   * subjects early and have slow work to overlap it with (the enricher, while it
   * reads HubSpot and asks the model). Never fails: a key not ready is fetched by the
   * append itself. A key made for an append that never happens is an empty key that
   * retention erases.
   */
  async prefetch(portalId: number, subjects: readonly string[], at: Date): Promise<void> {
    if (!this.enabled || subjects.length === 0) return;
    const day = at.toISOString().slice(0, 10);
    try {
      const ready = await this.keys.liveKeys(this.keys.source, subjects.map((subject) => ({ portalId, subject, day })));
      ready.confirm();
    } catch {
      // The append fetches what is missing.
    }
  }

  /** The events with their sealed parts opened (or marked erased); one key query for the keys not cached. */
  async open<T extends Readable>(events: T[]): Promise<T[]> {
    if (!this.enabled) return events;
    const parts = events.map((event) => sealedPartOf(event.data));
    if (parts.every((part) => part === undefined)) return events;
    const found = await this.keys.byIds(parts.flatMap((part) => part?.keys ?? []));
    return events.map((event, i) => {
      const part = parts[i];
      if (!part) return event;
      return { ...event, data: this.openOne(event, part, found) };
    });
  }

  /** One payload opened. */
  async openData<D>(event: Pick<EventEnvelope, 'id' | 'portalId'> & { data: D }): Promise<D> {
    return (await this.open([event]))[0]!.data;
  }

  /** The event as stored (its sealed payload) when it was opened here; else as it is. For anything sent on (a dead letter). */
  storedFormOf<T extends { data: unknown }>(event: T): T {
    const stored = typeof event.data === 'object' && event.data !== null ? this.stored.get(event.data) : undefined;
    return stored === undefined ? event : { ...event, data: stored };
  }

  /** The subjects an opened payload was sealed for; undefined for one that was not sealed (or not opened here). */
  subjectsOf(data: unknown): string[] | undefined {
    return typeof data === 'object' && data !== null ? this.subjects.get(data) : undefined;
  }

  private openOne(event: Readable, part: NonNullable<ReturnType<typeof sealedPartOf>>, found: Map<string, FoundKey>): unknown {
    const stored = event.data as Record<string, unknown>;
    const keys = part.keys.map((keyId) => found.get(keyId)!);
    const erased = keys.filter((k): k is Extract<FoundKey, { kind: 'erased' }> => k.kind === 'erased');
    if (erased.length > 0) {
      const first = erased.filter((k) => k.at !== null).sort((a, b) => (a.at! < b.at! ? -1 : 1))[0] ?? erased[0]!;
      const marker: ErasedMarker = {
        fields: Array.isArray(part.fields) ? part.fields : [],
        subjects: canonicalSubjects(erased.map((k) => k.subject ?? 'unknown')),
        at: first.at,
        reason: first.reason,
      };
      const view = erasedView(stored, marker);
      this.stored.set(view, stored);
      return view;
    }
    const live = keys as Array<Extract<FoundKey, { kind: 'live' }>>;
    const dataKeys: DataKey[] = live.map((k) => ({ keyId: k.keyId, key: k.key }));
    const personal = openPart(part, dataKeys, sealedAad(event.portalId, event.id));
    const opened = joinPersonal(stored, personal);
    this.subjects.set(opened, canonicalSubjects(live.map((k) => k.subject)));
    this.stored.set(opened, stored);
    return opened;
  }
}
