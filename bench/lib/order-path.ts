/**
 * The REST order path as the runner drives it: a BinanceVenue (real REST client, signing,
 * undici keep-alive pool) and the real OrderExecutor, with a stand-in for the core's
 * MarketMaker that answers an accepted order with `order_placed` as the core does.
 */
import { subscribe } from 'node:diagnostics_channel';
import { context } from '@opentelemetry/api';
import { Price, Quantity } from '../../src/core/event-values.ts';
import { domainEvent, type EventDraft, EventBus } from '../../src/core/events.ts';
import type { Instrument } from '../../src/core/instrument.ts';
import type { MarketMaker } from '../../src/core/market-maker.ts';
import type { CommandOutcome, OrderSnapshot, PlaceOrder } from '../../src/core/model.ts';
import { BinanceVenue } from '../../src/exchange/binance-venue.ts';
import type { RestTransport } from '../../src/exchange/rest-transport.ts';
import { SystemClock } from '../../src/runner/clocks.ts';
import type { DecisionTracing } from '../../src/runner/decision-tracing.ts';
import { OrderExecutor } from '../../src/runner/order-executor.ts';

export const BENCH_KEY = 'benchApiKey0123456789';
export const BENCH_SECRET = 'benchSecret0123456789';

/**
 * When undici hands request headers to a socket (`undici:client:sendHeaders`): `armed` holds
 * the start of the measured interval and `prewireUs` receives the elapsed time of the first
 * request written after it. undici 8 writes a request on a reused keep-alive socket from a
 * setImmediate (idle-socket validation), so the write is never synchronous with the call.
 */
export const wire = { armed: -1, prewireUs: Number.NaN, count: 0 };
subscribe('undici:client:sendHeaders', () => {
  wire.count++;
  if (wire.armed < 0) return;
  wire.prewireUs = (performance.now() - wire.armed) * 1000;
  wire.armed = -1;
});

function makerStandIn(instrument: Instrument): MarketMaker {
  const stub = {
    onPlaceOutcome(order: PlaceOrder, outcome: CommandOutcome<OrderSnapshot>): EventDraft[] {
      if (outcome.kind !== 'accepted') return [];
      return [
        domainEvent(
          'order_placed',
          {
            symbol: order.symbol,
            client_id: order.clientOrderId,
            order_id: outcome.value.orderId,
            side: order.side,
            price: order.priceTicks === undefined ? null : new Price(instrument, order.priceTicks),
            qty: new Quantity(instrument, order.qtySteps),
            latency_ms: null,
          },
          order.clientOrderId,
        ),
      ];
    },
    onCancelOutcome: () => [],
  };
  return stub as unknown as MarketMaker;
}

export interface OrderPath {
  readonly venue: BinanceVenue;
  readonly executor: OrderExecutor;
  readonly instrument: Instrument;
  /** Places one order the way Runner.cycle does (inside a decision span when traced). */
  place(order: PlaceOrder): Promise<unknown>;
  close(): Promise<void>;
}

/**
 * Builds the order path; `decorate` is the telemetry decorator and `decisions` the runner's
 * decision spans (null, null: telemetry disabled).
 */
export async function orderPath(
  restUrl: string,
  bus: EventBus,
  decorate: ((inner: RestTransport) => RestTransport) | null,
  decisions: DecisionTracing | null,
): Promise<OrderPath> {
  const clock = new SystemClock();
  const venue = new BinanceVenue({
    restUrl,
    wsUrl: 'ws://127.0.0.1:1',
    apiKey: BENCH_KEY,
    apiSecret: BENCH_SECRET,
    clock,
    ...(decorate ? { transport: decorate } : {}),
  });
  const [instrument] = await venue.loadInstruments(['BTCUSDT']);
  if (instrument === undefined) throw new Error('no BTCUSDT');
  const executor = new OrderExecutor({ venue, clock, bus, instrument, maker: makerStandIn(instrument), observe: () => {} });
  return {
    venue,
    executor,
    instrument,
    place(order) {
      if (decisions === null) {
        if (wire.armed >= 0) wire.armed = performance.now();
        return executor.place(order, 'quote');
      }
      const traced = decisions.start(performance.timeOrigin + performance.now(), { 'mm.symbol': order.symbol, 'mm.decision.commands': 1 });
      return context
        .with(traced.context, () => {
          // The interval before the wire starts at OrderExecutor.place (the decision span is measured apart).
          if (wire.armed >= 0) wire.armed = performance.now();
          return executor.place(order, 'quote');
        })
        .finally(() => traced.end());
    },
    close: () => venue.close(),
  };
}

let seq = 0;
/** Returns a fresh post-only LIMIT order. */
export function nextOrder(instrument: Instrument, tag: string): PlaceOrder {
  seq++;
  return {
    symbol: 'BTCUSDT',
    side: seq % 2 === 0 ? 'BUY' : 'SELL',
    type: 'LIMIT',
    priceTicks: instrument.priceToTicks(seq % 2 === 0 ? '64990.0' : '65010.0', 'nearest'),
    qtySteps: instrument.qtyToSteps('0.005', 'nearest'),
    timeInForce: 'GTX',
    reduceOnly: false,
    clientOrderId: `mm-${tag}-${seq.toString(36)}`,
  };
}

export { EventBus };
