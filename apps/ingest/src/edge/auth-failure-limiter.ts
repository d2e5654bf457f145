/**
 * Failed authentications per source on the public port, in process memory: a fixed
 * window per source (one minute); a source with `failuresPerWindow` failures in its
 * window is refused (429) until the window ends. The same entries sample the logs:
 * the first few failures of a source per window are logged, the rest only counted
 * and reported by `sweep` in one summary per window.
 *
 * Memory is bounded: at most `maxSources` entries (about 100 bytes each); when full,
 * the entry whose window started first is dropped (Map order is window order). An
 * attacker with more addresses than that escapes the limit for some of them, still
 * meets the connection cap, the timeouts and the body budget. Per process: N ingest
 * replicas allow N times the limit.
 */
export interface AuthFailureLimits {
  /** Failures per window before the source is refused; 0 = never refused. */
  failuresPerWindow: number;
  windowMs: number;
  maxSources: number;
  /** Log lines per source and window, the throttling notice included (one slot is kept for it). */
  logsPerSource: number;
  /** Log lines per window over all sources. */
  logsPerWindow: number;
}

export const DEFAULT_AUTH_FAILURE_LIMITS: Omit<AuthFailureLimits, 'failuresPerWindow'> = {
  windowMs: 60_000,
  maxSources: 10_000,
  logsPerSource: 3,
  logsPerWindow: 100,
};

interface Entry {
  windowEnd: number;
  failures: number;
  logged: number;
  throttleNoticed: boolean;
  /** Failures (and refusals) not logged since the last sweep. */
  suppressed: number;
}

export type Admission = { allowed: true } | { allowed: false; retryAfterSeconds: number; logThrottle: boolean };

export interface SweepSummary {
  suppressed: number;
  sources: number;
  top: Array<{ source: string; suppressed: number }>;
}

export class AuthFailureLimiter {
  private readonly entries = new Map<string, Entry>();
  private loggedThisWindow = 0;
  private suppressedFromEvicted = 0;

  constructor(
    private readonly limits: AuthFailureLimits,
    private readonly now: () => number = Date.now,
  ) {}

  /** Before anything is read: may this source go on? */
  check(source: string): Admission {
    if (this.limits.failuresPerWindow <= 0) return { allowed: true };
    const entry = this.current(source);
    if (!entry || entry.failures < this.limits.failuresPerWindow) return { allowed: true };
    let logThrottle = false;
    if (!entry.throttleNoticed && this.loggedThisWindow < this.limits.logsPerWindow) {
      entry.throttleNoticed = true;
      entry.logged += 1;
      this.loggedThisWindow += 1;
      logThrottle = true;
    } else entry.suppressed += 1;
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((entry.windowEnd - this.now()) / 1000)), logThrottle };
  }

  /** A failed authentication: counted; `log` says whether this one is to be logged. */
  recordFailure(source: string): { log: boolean } {
    const entry = this.current(source) ?? this.open(source);
    entry.failures += 1;
    // One slot per source stays free for the throttling notice.
    const log = entry.logged < this.limits.logsPerSource - 1 && this.loggedThisWindow < this.limits.logsPerWindow;
    if (log) {
      entry.logged += 1;
      this.loggedThisWindow += 1;
    } else entry.suppressed += 1;
    return { log };
  }

  /** Once per window: what was not logged since the last sweep; forgets ended windows. */
  sweep(): SweepSummary {
    const now = this.now();
    const bySource: Array<{ source: string; suppressed: number }> = [];
    let suppressed = this.suppressedFromEvicted;
    for (const [source, entry] of this.entries) {
      if (entry.suppressed > 0) {
        bySource.push({ source, suppressed: entry.suppressed });
        suppressed += entry.suppressed;
        entry.suppressed = 0;
      }
      if (entry.windowEnd <= now) this.entries.delete(source);
    }
    this.suppressedFromEvicted = 0;
    this.loggedThisWindow = 0;
    bySource.sort((a, b) => b.suppressed - a.suppressed);
    return { suppressed, sources: bySource.length, top: bySource.slice(0, 5) };
  }

  trackedSources(): number {
    return this.entries.size;
  }

  private current(source: string): Entry | undefined {
    const entry = this.entries.get(source);
    if (!entry || entry.windowEnd > this.now()) return entry;
    // The window ended: a new one starts at the next failure; unlogged counts wait for the sweep.
    this.entries.delete(source);
    this.suppressedFromEvicted += entry.suppressed;
    return undefined;
  }

  private open(source: string): Entry {
    while (this.entries.size >= this.limits.maxSources) {
      const [oldest, entry] = this.entries.entries().next().value as [string, Entry];
      this.suppressedFromEvicted += entry.suppressed;
      this.entries.delete(oldest);
    }
    const entry: Entry = { windowEnd: this.now() + this.limits.windowMs, failures: 0, logged: 0, throttleNoticed: false, suppressed: 0 };
    this.entries.set(source, entry);
    return entry;
  }
}

/**
 * The source a limit applies to: the socket's remote address, never a forwarding
 * header (anyone can write one). IPv4-mapped IPv6 addresses are unwrapped; other
 * IPv6 addresses count per /64, the block one host usually owns.
 */
export function sourceOf(remoteAddress: string | undefined): string {
  if (!remoteAddress) return 'unknown';
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(remoteAddress);
  if (mapped) return mapped[1]!;
  if (!remoteAddress.includes(':')) return remoteAddress;
  const groups = expandIpv6(remoteAddress);
  return groups ? `${groups.slice(0, 4).join(':')}::/64` : remoteAddress;
}

function expandIpv6(address: string): string[] | undefined {
  const [withoutZone] = address.split('%');
  const halves = withoutZone!.split('::');
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(':') : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(':') : [];
  if (halves.length === 1 && head.length !== 8) return undefined;
  // Loopback and other addresses with nothing in the first /64 stay as they are.
  const missing = 8 - head.length - tail.length;
  if (missing < 0) return undefined;
  const groups = [...head, ...Array<string>(missing).fill('0'), ...tail].map((g) => g.toLowerCase().replace(/^0+(?=.)/, ''));
  if (groups.slice(0, 4).every((g) => g === '0')) return undefined;
  return groups;
}
