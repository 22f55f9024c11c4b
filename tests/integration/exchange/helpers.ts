/** Shared wiring for the adapter's integration tests. */
import type { Clock } from '../../../src/core/clock.ts';
import { SystemClock } from '../../../src/runner/clocks.ts';
import type { VenueListener } from '../../../src/core/venue.ts';
import { BinanceVenue, type BinanceVenueOptions } from '../../../src/exchange/binance-venue.ts';
/** A venue to talk to: the documented fake or the simulator. */
interface Endpoint {
  readonly restUrl: string;
  readonly wsUrl: string;
  readonly apiKey: string;
  readonly apiSecret: string;
}

export const realClock: Clock = new SystemClock();

/** Returns a venue pointed at the fake (or the simulator), with short timings for tests. */
export function venueFor(fake: Endpoint, overrides: Partial<BinanceVenueOptions> = {}): BinanceVenue {
  return new BinanceVenue({
    restUrl: fake.restUrl,
    wsUrl: fake.wsUrl,
    apiKey: fake.apiKey,
    apiSecret: fake.apiSecret,
    clock: realClock,
    requestTimeoutMs: 2000,
    retryBaseDelayMs: 10,
    reconnect: { initialMs: 20, maxMs: 200, multiplier: 2, jitter: 0.2 },
    ping: { pingIntervalMs: 100, deadAfterMs: 400 },
    connectTimeoutMs: 5000,
    ...overrides,
  });
}

export interface Recorded {
  readonly listener: VenueListener;
  readonly calls: Array<{ readonly kind: string; readonly args: unknown[] }>;
  of(kind: string): unknown[][];
}

/** Returns a listener that records every callback. */
export function recordingListener(): Recorded {
  const calls: Array<{ kind: string; args: unknown[] }> = [];
  const rec =
    (kind: string) =>
    (...args: unknown[]) => {
      calls.push({ kind, args });
    };
  return {
    calls,
    listener: {
      onBookTop: rec('bookTop'),
      onMarkPrice: rec('markPrice'),
      onOrderUpdate: rec('orderUpdate'),
      onAccountUpdate: rec('accountUpdate'),
      onMarginCall: rec('marginCall'),
      onStreamState: rec('streamState'),
      onListenKey: rec('listenKey'),
      onMalformed: rec('malformed'),
      onOrderTransport: rec('orderTransport'),
    },
    of: (kind) => calls.filter((c) => c.kind === kind).map((c) => c.args),
  };
}

/** Resolves once `predicate` holds (polling), or rejects after `timeoutMs`. */
export async function until(predicate: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
