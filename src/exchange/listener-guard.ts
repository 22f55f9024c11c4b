/** Calls into the runner's listener that can never break a stream. */
import type { VenueListener } from '../core/venue.ts';

const SAMPLE_CHARS = 200;

/** Returns a frame sample short enough for a log line. */
export function sampleOf(text: string): string {
  return text.length > SAMPLE_CHARS ? `${text.slice(0, SAMPLE_CHARS)}…` : text;
}

/** Returns a wrapper that swallows listener exceptions (handlers must not throw; we make sure). */
export function guardListener(listener: VenueListener): VenueListener {
  const guard =
    <A extends unknown[]>(fn: ((...args: A) => void) | undefined) =>
    (...args: A): void => {
      if (fn === undefined) return;
      try {
        fn.apply(listener, args);
      } catch {
        // A throwing handler is the runner's bug; the stream must keep flowing.
      }
    };
  return {
    onBookTop: guard(listener.onBookTop),
    onMarkPrice: guard(listener.onMarkPrice),
    onOrderUpdate: guard(listener.onOrderUpdate),
    onAccountUpdate: guard(listener.onAccountUpdate),
    onMarginCall: guard(listener.onMarginCall),
    onStreamState: guard(listener.onStreamState),
    onListenKey: guard(listener.onListenKey),
    onMalformed: guard(listener.onMalformed),
    ...(listener.onOrderTransport === undefined ? {} : { onOrderTransport: guard(listener.onOrderTransport) }),
  };
}

/** Returns the error text of anything thrown. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
