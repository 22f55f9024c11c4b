/**
 * Work held back until the requests being dispatched now are on the wire. undici 8 writes a
 * request on a reused keep-alive socket only from a setImmediate (idle-socket validation,
 * GHSA-35p6-xmwp-9g52), so everything else that runs in the same turn of the event loop sits
 * between a decision and its order request on the wire: the next frames of the same socket read,
 * the listeners of the decision's events. A `WriteGate` queues such work and runs it, in order,
 * in the check phase after the last request undici has created is written (or has failed), or
 * after at most `maxHoldMs`, whichever comes first; requests waiting in the pool for a free
 * connection are what the bound is for.
 */
import { subscribe } from 'node:diagnostics_channel';

type Work = () => void;

/** undici requests created and neither written nor failed yet (all dispatchers of the process). */
const unwritten = new Set<unknown>();
/** Gates holding work. */
const waiting = new Set<WriteGate>();
let hooked = false;

function requestOf(message: unknown): unknown {
  return (message as { request: unknown }).request;
}

function onRequestSettled(message: unknown): void {
  unwritten.delete(requestOf(message));
  for (const gate of waiting) gate.requestWritten();
}

function hook(): void {
  if (hooked) return;
  hooked = true;
  subscribe('undici:request:create', (message) => unwritten.add(requestOf(message)));
  subscribe('undici:request:bodySent', onRequestSettled);
  subscribe('undici:request:error', onRequestSettled);
}

/** Returns the number of requests undici has created and not yet written. */
export function requestsAwaitingWrite(): number {
  return unwritten.size;
}

export interface WriteGateOptions {
  /** Longest time a piece of work is held, ms. */
  readonly maxHoldMs: number;
  /**
   * true: always queue (listener work, which would otherwise run before a request dispatched
   * right after it). false: run at once when no request awaits its write and nothing is queued.
   */
  readonly holdAlways: boolean;
}

export class WriteGate {
  private readonly options: WriteGateOptions;
  private queue: Work[] = [];
  private immediate: NodeJS.Immediate | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(options: WriteGateOptions) {
    this.options = options;
    hook();
  }

  /** Runs `work` now or once the requests being dispatched are written (see the module doc). */
  run(work: Work): void {
    if (!this.options.holdAlways && this.queue.length === 0 && unwritten.size === 0) {
      work();
      return;
    }
    this.queue.push(work);
    if (this.timer !== null) return;
    waiting.add(this);
    this.timer = setTimeout(() => this.drain(), this.options.maxHoldMs);
    this.timer.unref();
  }

  /** Runs every queued piece of work now, in order (including work queued while draining). Never throws. */
  drain(): void {
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
    waiting.delete(this);
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.immediate !== null) {
      clearImmediate(this.immediate);
      this.immediate = null;
    }
  }

  /** Returns the number of queued pieces of work. */
  size(): number {
    return this.queue.length;
  }

  /** Called when a request is written or fails. */
  requestWritten(): void {
    if (this.immediate === null) this.immediate = setImmediate(() => this.drainUnlessRequestsWait());
  }

  private drainUnlessRequestsWait(): void {
    this.immediate = null;
    if (unwritten.size === 0) this.drain();
  }
}
