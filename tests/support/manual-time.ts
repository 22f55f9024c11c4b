/**
 * A Clock for tests that moves only when told: `advance(ms)` moves time forward and fires every
 * timer that falls due, in order, letting the promise callbacks each one starts settle before
 * the next fires. Runner and adapter policies run on it in milliseconds, whatever the machine's
 * speed.
 */
import type { Clock, Timer } from '../../src/core/clock.ts';

interface Pending {
  readonly id: number;
  readonly dueMs: number;
  readonly fn: () => void;
}

/** Lets pending promise callbacks run (a few macrotask turns, so chains of awaits settle). */
export async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

export class ManualTime implements Clock {
  private wallMs: number;
  private elapsedMs = 0;
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(startWallMs = 1_800_000_000_000) {
    this.wallMs = startWallMs;
  }

  nowMs(): number {
    return this.wallMs;
  }

  monoNs(): bigint {
    return BigInt(Math.round(this.elapsedMs * 1e6));
  }

  preciseNowMs(): number {
    return this.wallMs;
  }

  setTimer(fn: () => void, delayMs: number): Timer {
    const id = this.nextId++;
    this.pending.set(id, { id, dueMs: this.elapsedMs + Math.max(0, delayMs), fn });
    return { cancel: () => void this.pending.delete(id) };
  }

  /** Returns how many timers are set. */
  timerCount(): number {
    return this.pending.size;
  }

  /** Sets the wall time only (as an NTP step would); monotonic time and timers are unchanged. */
  stepWallMs(deltaMs: number): void {
    this.wallMs += deltaMs;
  }

  /** Moves time forward by `ms`, firing due timers in order and settling after each. */
  async advance(ms: number): Promise<void> {
    if (!(ms >= 0)) throw new RangeError('time only moves forward');
    const target = this.elapsedMs + ms;
    await settle();
    for (;;) {
      const due = [...this.pending.values()].filter((p) => p.dueMs <= target).sort((a, b) => a.dueMs - b.dueMs || a.id - b.id)[0];
      if (due === undefined) break;
      this.moveTo(due.dueMs);
      this.pending.delete(due.id);
      due.fn();
      await settle();
    }
    this.moveTo(target);
    await settle();
  }

  private moveTo(elapsedMs: number): void {
    if (elapsedMs <= this.elapsedMs) return;
    this.wallMs += elapsedMs - this.elapsedMs;
    this.elapsedMs = elapsedMs;
  }
}
