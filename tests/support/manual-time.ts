/**
 * A clock and timers for tests that move only when told: `advance(ms)` moves time forward and
 * fires every timer that falls due, in order, letting the promise callbacks each one starts
 * settle before the next fires. Runner policies run on it in milliseconds, whatever the
 * machine's speed.
 */
import type { Clock } from '../../src/core/clock.ts';
import type { Timers } from '../../src/runner/timers.ts';

interface Pending {
  readonly id: number;
  dueMs: number;
  readonly fn: () => void;
  readonly everyMs: number | null;
}

/** Lets pending promise callbacks run (a few macrotask turns, so chains of awaits settle). */
export async function settle(turns = 5): Promise<void> {
  for (let i = 0; i < turns; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

export class ManualTime implements Clock, Timers {
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

  setTimeout(fn: () => void, ms: number): unknown {
    return this.add(fn, ms, null);
  }

  clearTimeout(handle: unknown): void {
    this.pending.delete(handle as number);
  }

  setInterval(fn: () => void, ms: number): unknown {
    return this.add(fn, ms, Math.max(1, ms));
  }

  clearInterval(handle: unknown): void {
    this.pending.delete(handle as number);
  }

  /** Returns how many timers are set. */
  timerCount(): number {
    return this.pending.size;
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
      if (due.everyMs === null) this.pending.delete(due.id);
      else due.dueMs += due.everyMs;
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

  private add(fn: () => void, ms: number, everyMs: number | null): number {
    const id = this.nextId++;
    this.pending.set(id, { id, dueMs: this.elapsedMs + Math.max(0, ms), fn, everyMs });
    return id;
  }
}
