/**
 * Telemetry work that must not sit in front of an order on the wire. A listener captures the
 * facts of an event (the event itself, its timestamp, the active context) and queues the rest of
 * its work here; the queue runs two check phases later. undici 8 writes a request on a reused
 * keep-alive socket from a setImmediate queued while the order is dispatched (idle-socket
 * validation), so work queued by an `order_submit` and run one hop later would still run before
 * the write; the second hop runs it after. Nothing is lost: every flush path (event log, stdout
 * logger, telemetry flush and shutdown) drains the queue synchronously first, and so does the
 * process's 'exit' event.
 */

type Work = () => void;

let queue: Work[] = [];
let scheduled = false;
let exitHooked = false;

function drainSoon(): void {
  setImmediate(() => setImmediate(drainDeferred));
}

/** Queues `work` to run after the requests being dispatched now are on the wire. */
export function afterWire(work: Work): void {
  queue.push(work);
  if (scheduled) return;
  scheduled = true;
  if (!exitHooked) {
    exitHooked = true;
    process.once('exit', drainDeferred);
  }
  drainSoon();
}

/** Runs every queued piece of work now, in order (including work queued while draining). Never throws. */
export function drainDeferred(): void {
  scheduled = false;
  while (queue.length > 0) {
    const batch = queue;
    queue = [];
    for (const work of batch) {
      try {
        work();
      } catch {
        // Each listener guards its own failures; one failing must not starve the others.
      }
    }
  }
}

/** Returns the number of queued pieces of work (tests, benchmarks). */
export function deferredCount(): number {
  return queue.length;
}
