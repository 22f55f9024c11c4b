/**
 * Telemetry work that must not sit in front of an order on the wire. A listener captures the
 * facts of an event (the event itself, its timestamp, the active context) and queues the rest of
 * its work here. The queue runs in the check phase after undici has written every request it
 * created (see exchange/write-gate.ts), so the requests of a decision go out first and the
 * telemetry runs while their answers travel; while the executor's later commands of a decision
 * still wait for their write, the queue waits for them too. Work not followed by any request
 * (fills, snapshots) runs after at most FALLBACK_MS. Nothing is lost: every flush path (event
 * log, stdout logger, telemetry flush and shutdown) drains the queue synchronously first, and so
 * does the process's 'exit' event.
 */
import { WriteGate } from '../exchange/write-gate.ts';

/** Longest wait for a request write before queued work runs anyway, ms. */
const FALLBACK_MS = 2;

const gate = new WriteGate({ maxHoldMs: FALLBACK_MS, holdAlways: true });
process.once('exit', () => gate.drain());

/** Queues `work` to run after the requests being dispatched now are on the wire. */
export function afterWire(work: () => void): void {
  gate.run(work);
}

/** Runs every queued piece of work now, in order (including work queued while draining). Never throws. */
export function drainDeferred(): void {
  gate.drain();
}

/** Returns the number of queued pieces of work (tests, benchmarks). */
export function deferredCount(): number {
  return gate.size();
}
