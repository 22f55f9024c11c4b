/**
 * The one deferral of the telemetry: "run this once the order requests being sent now are on the
 * wire". A listener captures the facts of an event (the event, its time, the active context) and
 * queues the rest of its work here, so that none of it sits between a decision and its requests.
 *
 * undici 8 writes a request on a reused keep-alive socket from a setImmediate (idle-socket
 * validation, GHSA-35p6-xmwp-9g52), and the executor dispatches a decision's later commands from
 * the next check phase: work run in the same turn, or in the next check phase, would run before
 * those writes. So the queue follows undici's documented diagnostics channels and runs, in
 * order, in the check phase after the last request undici has created is written (or has
 * failed), or after at most `maxHoldMs` when no request follows (fills, snapshots) or one waits
 * for a free connection. Every flush path (event log, stdout logger, telemetry) drains it first.
 *
 * The composition root creates one instance and passes it to whoever defers work; `close()`
 * unsubscribes from the channels.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { Clock, Timer } from '../core/clock.ts';

type Work = () => void;

const CREATED = 'undici:request:create';
const WRITTEN = 'undici:request:bodySent';
const FAILED = 'undici:request:error';

/** Longest wait for a request write before queued work runs anyway, ms. */
const MAX_HOLD_MS = 2;

export class AfterWire {
  private readonly clock: Clock;
  private readonly maxHoldMs: number;
  /** undici requests created and neither written nor failed yet. */
  private readonly unwritten = new Set<unknown>();
  private queue: Work[] = [];
  private immediate: NodeJS.Immediate | null = null;
  private timer: Timer | null = null;

  constructor(clock: Clock, maxHoldMs = MAX_HOLD_MS) {
    this.clock = clock;
    this.maxHoldMs = maxHoldMs;
    subscribe(CREATED, this.onCreated);
    subscribe(WRITTEN, this.onSettled);
    subscribe(FAILED, this.onSettled);
  }

  /** Queues `work` to run after the requests being dispatched now are on the wire. */
  run(work: Work): void {
    this.queue.push(work);
    if (this.timer !== null) return;
    this.timer = this.clock.setTimer(this.drain, this.maxHoldMs, { background: true });
  }

  /** Runs every queued piece of work now, in order (including work queued while draining). Never throws. */
  readonly drain = (): void => {
    while (this.queue.length > 0) {
      const batch = this.queue;
      this.queue = [];
      for (const work of batch) {
        try {
          work();
        } catch {
          // Each piece of work guards its own failures; one failing must not starve the others.
        }
      }
    }
    if (this.timer !== null) {
      this.timer.cancel();
      this.timer = null;
    }
    if (this.immediate !== null) {
      clearImmediate(this.immediate);
      this.immediate = null;
    }
  };

  /** Returns the number of queued pieces of work. */
  size(): number {
    return this.queue.length;
  }

  /** Runs what is queued and stops following undici's requests (work queued later runs after maxHoldMs). */
  close(): void {
    unsubscribe(CREATED, this.onCreated);
    unsubscribe(WRITTEN, this.onSettled);
    unsubscribe(FAILED, this.onSettled);
    this.unwritten.clear();
    this.drain();
  }

  private readonly onCreated = (message: unknown): void => {
    this.unwritten.add((message as { request: unknown }).request);
  };

  private readonly onSettled = (message: unknown): void => {
    this.unwritten.delete((message as { request: unknown }).request);
    if (this.timer !== null && this.immediate === null) this.immediate = setImmediate(this.drainUnlessRequestsWait);
  };

  private readonly drainUnlessRequestsWait = (): void => {
    this.immediate = null;
    if (this.unwritten.size === 0) this.drain();
  };
}
