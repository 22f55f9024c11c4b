/**
 * A listener that throws is never silent: an exception caught by the exchange adapter's guard
 * (published on its diagnostics channel) or by the event bus is counted in
 * `mm_listener_errors_total{listener}` and logged at error level with its stack, and trading goes
 * on.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import type { DomainEvent } from '../core/events.ts';
import { LISTENER_ERROR_CHANNEL, type ListenerErrorMessage } from '../exchange/listener-guard.ts';
import type { ComponentLogger } from './stdout-logger.ts';

/** The `listener` label: whose listener threw. */
export const LISTENERS = ['venue', 'event_bus'] as const;
export type ListenerKind = (typeof LISTENERS)[number];

export class ListenerErrors {
  private readonly count: (listener: ListenerKind) => void;
  private readonly log: ComponentLogger;

  constructor(count: (listener: ListenerKind) => void, log: ComponentLogger) {
    this.count = count;
    this.log = log;
    subscribe(LISTENER_ERROR_CHANNEL, this.onVenueError);
  }

  /** The EventBus's error callback. */
  readonly onBusError = (error: unknown, event: DomainEvent): void => {
    this.report('event_bus', event.event, error);
  };

  /** Stops listening to the exchange adapter's channel. */
  close(): void {
    unsubscribe(LISTENER_ERROR_CHANNEL, this.onVenueError);
  }

  private readonly onVenueError = (message: unknown): void => {
    const { handler, error } = message as ListenerErrorMessage;
    this.report('venue', handler, error);
  };

  private report(listener: ListenerKind, handler: string, error: unknown): void {
    try {
      this.count(listener);
      this.log.error('listener_failed', {
        listener,
        handler,
        error: error instanceof Error ? error.message : String(error),
        stack: error instanceof Error ? (error.stack ?? null) : null,
      });
    } catch {
      // Reporting must not throw into the stream or the bus that caught the error.
    }
  }
}
