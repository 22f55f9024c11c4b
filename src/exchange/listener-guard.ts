/** Calls into the runner's listener so that a throwing handler can never break a stream. */
import { channel } from 'node:diagnostics_channel';
import type { VenueListener } from '../core/venue.ts';

const SAMPLE_CHARS = 200;

/**
 * The diagnostics channel on which a handler's exception is published as a
 * `ListenerErrorMessage` (the telemetry subscribes: it counts and logs it).
 */
export const LISTENER_ERROR_CHANNEL = 'mm:exchange:listener-error';

/** What is published on LISTENER_ERROR_CHANNEL. */
export interface ListenerErrorMessage {
  /** The VenueListener method that threw (`onBookTop`, `onOrderUpdate`, ...). */
  readonly handler: string;
  readonly error: unknown;
}

/** Returns a frame sample short enough for a log line. */
export function sampleOf(text: string): string {
  return text.length > SAMPLE_CHARS ? `${text.slice(0, SAMPLE_CHARS)}…` : text;
}

/**
 * Returns a wrapper that catches listener exceptions: the stream keeps flowing, and the error is
 * published on LISTENER_ERROR_CHANNEL (a handler that throws is the runner's bug, never silent).
 */
export function guardListener(listener: VenueListener): VenueListener {
  const guard =
    <A extends unknown[]>(handler: string, fn: ((...args: A) => void) | undefined) =>
    (...args: A): void => {
      if (fn === undefined) return;
      try {
        fn.apply(listener, args);
      } catch (error) {
        const message: ListenerErrorMessage = { handler, error };
        channel(LISTENER_ERROR_CHANNEL).publish(message);
      }
    };
  return {
    onBookTop: guard('onBookTop', listener.onBookTop),
    onMarkPrice: guard('onMarkPrice', listener.onMarkPrice),
    onOrderUpdate: guard('onOrderUpdate', listener.onOrderUpdate),
    onAccountUpdate: guard('onAccountUpdate', listener.onAccountUpdate),
    onMarginCall: guard('onMarginCall', listener.onMarginCall),
    onStreamState: guard('onStreamState', listener.onStreamState),
    onListenKey: guard('onListenKey', listener.onListenKey),
    onMalformed: guard('onMalformed', listener.onMalformed),
    ...(listener.onOrderTransport === undefined ? {} : { onOrderTransport: guard('onOrderTransport', listener.onOrderTransport) }),
  };
}

/** Returns the error text of anything thrown. */
export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
