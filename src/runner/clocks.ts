/**
 * The clock module: the system clock (the one implementation of the core's `Clock` outside the
 * tests: wall time, monotonic time and timers), the frozen log clock of MM_FREEZE_UTC_ISO, and
 * the nanosecond UTC timestamp formatter used by the event log and the stdout logger. This is
 * the only module of the runner that reads the machine's time or sets a timer.
 */
import type { Clock, ClockReading, Timer, TimerOptions } from '../core/clock.ts';

/** A clock reading that may declare its wall time frozen (log timestamps are then exact and repeatable). */
export interface LogClock extends ClockReading {
  readonly frozen?: boolean;
}

/** The machine's clock: Date.now for wall time, process.hrtime.bigint for monotonic time, Node's timers. */
export class SystemClock implements Clock {
  readonly frozen = false;

  nowMs(): number {
    return Date.now();
  }

  monoNs(): bigint {
    return process.hrtime.bigint();
  }

  /** OpenTelemetry's own time base: the process's time origin plus monotonic time since. */
  preciseNowMs(): number {
    return performance.timeOrigin + performance.now();
  }

  setTimer(callback: () => void, delayMs: number, options?: TimerOptions): Timer {
    const handle = setTimeout(callback, Math.max(0, delayMs));
    if (options?.background === true) handle.unref();
    return { cancel: () => clearTimeout(handle) };
  }
}

/** Wall time fixed at one instant (MM_FREEZE_UTC_ISO); monotonic time still advances. Logs only. */
export class FrozenClock implements LogClock {
  readonly frozen = true;
  private readonly atMs: number;

  /** Takes the instant as epoch ms or as an ISO-8601 string. */
  constructor(at: number | string) {
    const ms = typeof at === 'number' ? at : Date.parse(at);
    if (!Number.isFinite(ms)) throw new RangeError(`not a valid instant: ${String(at)}`);
    this.atMs = ms;
  }

  nowMs(): number {
    return this.atMs;
  }

  monoNs(): bigint {
    return process.hrtime.bigint();
  }
}

/** The two clocks of a runner: one for what it does, one for what its logs show. */
export interface RunnerClocks {
  /** The system's clock: request signing, client order ids, timers, the venue, OTLP timestamps. */
  readonly clock: Clock;
  /** The clock of event-log `ts` and stdout `ts_utc`: frozen at MM_FREEZE_UTC_ISO when set. */
  readonly logClock: LogClock;
}

/**
 * Returns the runner's clocks for `freezeAtMs` (MM_FREEZE_UTC_ISO). Only the log clock is ever
 * frozen: a frozen signing clock makes the venue refuse requests once recvWindow passes, and a
 * frozen session id makes a restarted runner reuse its client order ids.
 */
export function createClocks(freezeAtMs: number | null): RunnerClocks {
  const clock = new SystemClock();
  return { clock, logClock: freezeAtMs === null ? clock : new FrozenClock(freezeAtMs) };
}

const NS_PER_MS = 1_000_000;
/** Re-anchor after this much monotonic time so elapsed nanoseconds stay exact as a double. */
const MAX_ANCHOR_AGE_NS = 1e15;
/** Allowed disagreement between the wall clock and the monotonic estimate before re-anchoring. */
const MAX_DRIFT_MS = 1;

function pad(value: number, width: number): string {
  const text = String(value);
  return text.length >= width ? text : '000000000'.slice(0, width - text.length) + text;
}

let prefixSecond = Number.NaN;
let prefixText = '';

/** Returns "YYYY-MM-DDTHH:MM:SS." for the second containing `ms`, cached per second. */
function secondPrefix(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== prefixSecond) {
    prefixSecond = second;
    prefixText = new Date(second * 1000).toISOString().slice(0, 20);
  }
  return prefixText;
}

/** Returns epoch ms plus 0..999999 ns as "2026-11-21T19:52:44.123456789Z". */
export function formatUtcNanos(ms: number, subMsNs = 0): string {
  const wholeMs = Math.floor(ms);
  const millis = wholeMs - Math.floor(wholeMs / 1000) * 1000;
  return `${secondPrefix(wholeMs)}${pad(millis, 3)}${pad(subMsNs, 6)}Z`;
}

/**
 * Formats "now" as a UTC ISO timestamp with nanosecond precision. The milliseconds follow the
 * wall clock; the digits below come from the monotonic clock, anchored to the wall clock and
 * re-anchored when they drift apart. The result never goes backwards within one formatter.
 * Under a frozen clock it is exactly the frozen instant with ".000000000Z".
 */
export class UtcNanosFormatter {
  private readonly clock: LogClock;
  private anchorMs = 0;
  private anchorMono = 0n;
  private lastMs = Number.NEGATIVE_INFINITY;
  private lastSubNs = 0;

  constructor(clock: LogClock) {
    this.clock = clock;
    this.reanchor(Math.floor(clock.nowMs()), clock.monoNs());
  }

  /** Returns the current instant, formatted. Bound, so it can be passed as a function. */
  readonly now = (): string => {
    const wallMs = Math.floor(this.clock.nowMs());
    if (this.clock.frozen === true) return formatUtcNanos(wallMs, 0);
    const mono = this.clock.monoNs();
    let elapsedNs = Number(mono - this.anchorMono);
    if (elapsedNs < 0 || elapsedNs > MAX_ANCHOR_AGE_NS) {
      this.reanchor(wallMs, mono);
      elapsedNs = 0;
    }
    let ms = this.anchorMs + Math.floor(elapsedNs / NS_PER_MS);
    let subNs = elapsedNs % NS_PER_MS;
    if (Math.abs(ms - wallMs) > MAX_DRIFT_MS) {
      this.reanchor(wallMs, mono);
      ms = wallMs;
      subNs = 0;
    }
    if (ms < this.lastMs || (ms === this.lastMs && subNs < this.lastSubNs)) {
      ms = this.lastMs;
      subNs = this.lastSubNs;
    }
    this.lastMs = ms;
    this.lastSubNs = subNs;
    return formatUtcNanos(ms, subNs);
  };

  private reanchor(wallMs: number, mono: bigint): void {
    this.anchorMs = wallMs;
    this.anchorMono = mono;
  }
}
