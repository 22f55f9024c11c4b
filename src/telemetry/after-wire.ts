/**
 * Telemetry work that must not sit in front of an order on the wire. A listener captures the
 * facts of an event (the event itself, its timestamp, the active context) and queues the rest of
 * its work here. The queue runs in the check phase after undici reports a request written
 * (`undici:request:bodySent`, published right after the socket write), so the requests of a
 * decision go out first and the telemetry runs while their answers travel. undici 8 writes a
 * request on a reused keep-alive socket from a setImmediate (idle-socket validation), which is
 * why a plain setImmediate would still run before the write. While other requests created by
 * undici still wait for their write (the executor sends a decision's later commands one check
 * phase after the first), the queue waits for them too. Work not followed by any request
 * (fills, snapshots) runs after at most FALLBACK_MS. Nothing is lost: every flush path (event
 * log, stdout logger, telemetry flush and shutdown) drains the queue synchronously first, and so
 * does the process's 'exit' event.
 */
import { subscribe } from 'node:diagnostics_channel';

type Work = () => void;

/** Longest wait for a request write before queued work runs anyway, ms. */
const FALLBACK_MS = 2;

let queue: Work[] = [];
let immediate: NodeJS.Immediate | null = null;
let timer: NodeJS.Timeout | null = null;
let hooked = false;
/** undici requests created and neither written nor failed yet. */
const unwritten = new Set<unknown>();

function requestOf(message: unknown): unknown {
  return (message as { request: unknown }).request;
}

function onRequestSent(message: unknown): void {
  unwritten.delete(requestOf(message));
  if (queue.length > 0 && immediate === null) immediate = setImmediate(drainUnlessRequestsWait);
}

function drainUnlessRequestsWait(): void {
  immediate = null;
  if (unwritten.size === 0) drainDeferred();
}

function hook(): void {
  hooked = true;
  subscribe('undici:request:create', (message) => unwritten.add(requestOf(message)));
  subscribe('undici:request:bodySent', onRequestSent);
  subscribe('undici:request:error', (message) => unwritten.delete(requestOf(message)));
  process.once('exit', drainDeferred);
}

/** Queues `work` to run after the requests being dispatched now are on the wire. */
export function afterWire(work: Work): void {
  queue.push(work);
  if (timer !== null) return;
  if (!hooked) hook();
  timer = setTimeout(drainDeferred, FALLBACK_MS);
  timer.unref();
}

/** Runs every queued piece of work now, in order (including work queued while draining). Never throws. */
export function drainDeferred(): void {
  if (timer !== null) {
    clearTimeout(timer);
    timer = null;
  }
  if (immediate !== null) {
    clearImmediate(immediate);
    immediate = null;
  }
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
