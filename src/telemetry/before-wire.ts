/**
 * The last moment before a request goes out: undici publishes `undici:client:sendHeaders`
 * synchronously, immediately before it writes the first byte of a request to its socket (its
 * documented contract). Work hooked here runs after the request was signed and dispatched, so it
 * does not slow that down, and before the request can reach the exchange.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';

const SEND_HEADERS = 'undici:client:sendHeaders';

/** Calls `hook` right before undici writes any request; returns a function that stops it. A throwing hook is ignored. */
export function beforeRequestWrite(hook: () => void): () => void {
  const listener = (): void => {
    try {
      hook();
    } catch {
      // The hook guards its own failures; a throw here must not reach undici.
    }
  };
  subscribe(SEND_HEADERS, listener);
  return () => {
    unsubscribe(SEND_HEADERS, listener);
  };
}
