import { describe, expect, it } from 'vitest';
import type { EngineEvent, ModifyResult, NewOrderRequest, PlaceResult } from '../../../src/sim/engine-types.ts';
import type { MatchingEngine } from '../../../src/sim/matching-engine.ts';
import { bookAt, newEngine } from './engine-fixtures.ts';
import { asSteps, asTicks, type Steps, type Ticks } from '../../../src/core/instrument.ts';

const T0 = 1_700_000_000_000;
const BID = 650_000; // best synthetic bid 65000.0, best ask 65000.1

function ready(): MatchingEngine {
  const engine = newEngine();
  engine.applyMarket('BTCUSDT', bookAt(BID), [], 2 * BID + 1, T0);
  return engine;
}

function limit(side: 'BUY' | 'SELL', priceTicks: number, qtySteps: number, extra: Partial<NewOrderRequest> = {}): NewOrderRequest {
  return {
    symbol: 'BTCUSDT',
    side,
    type: 'LIMIT',
    timeInForce: 'GTC',
    priceTicks: asTicks(priceTicks),
    qtySteps: asSteps(qtySteps),
    reduceOnly: false,
    ...extra,
  };
}

function accepted(result: PlaceResult | ModifyResult) {
  if (!result.ok) throw new Error(`expected acceptance, got ${result.error.binanceCode} ${result.error.message}`);
  return result;
}

function codeOf(result: PlaceResult | ModifyResult): number | null {
  return result.ok ? null : result.error.binanceCode;
}

function executions(events: readonly EngineEvent[]): string[] {
  return events.flatMap((e) => (e.kind === 'order' ? [`${e.execution}:${e.order.status}`] : []));
}

describe('MatchingEngine.modifyOrder (PUT /fapi/v1/order)', () => {
  it('moves a resting order to the back of its new price level and reports AMENDMENT', () => {
    const engine = ready();
    const first = accepted(engine.placeOrder(limit('BUY', BID - 20, 5, { clientOrderId: 'a' }), T0));
    accepted(engine.placeOrder(limit('BUY', BID - 10, 5, { clientOrderId: 'b' }), T0));
    const moved = accepted(
      engine.modifyOrder({ symbol: 'BTCUSDT', ref: { clientOrderId: 'a' }, side: 'BUY', priceTicks: asTicks(BID - 10), qtySteps: asSteps(7) }, T0 + 5),
    );
    expect(moved.order).toMatchObject({ orderId: first.order.orderId, priceTicks: BID - 10, qtySteps: 7, status: 'NEW', updateTimeMs: T0 + 5, amendments: 1 });
    expect(executions(moved.events)).toEqual(['AMENDMENT:NEW']);
    // Same price as "b", queued behind it: a trade of 5 at that price fills "b" only.
    engine.applyMarket('BTCUSDT', bookAt(BID), [{ aggressor: 'SELL', priceTicks: asTicks(BID - 10), qtySteps: asSteps(5) }], 2 * BID + 1, T0 + 10);
    expect(engine.openOrders('BTCUSDT').map((o) => [o.clientOrderId, o.executedSteps])).toEqual([['a', 0]]);
  });

  it('trades at once when a GTC amendment crosses the book, as a new order would', () => {
    const engine = ready();
    accepted(engine.placeOrder(limit('BUY', BID - 20, 5, { clientOrderId: 'x' }), T0));
    const crossed = accepted(
      engine.modifyOrder({ symbol: 'BTCUSDT', ref: { clientOrderId: 'x' }, side: 'BUY', priceTicks: asTicks(BID + 1), qtySteps: asSteps(5) }, T0),
    );
    expect(executions(crossed.events)).toEqual(['AMENDMENT:NEW', 'TRADE:FILLED']);
    expect(engine.position('BTCUSDT').amountSteps).toBe(5);
  });

  it('cancels a post-only amended to a price that would take, and an order amended to at most what has filled', () => {
    const engine = ready();
    accepted(engine.placeOrder(limit('BUY', BID - 20, 5, { timeInForce: 'GTX', clientOrderId: 'gtx' }), T0));
    const gtx = accepted(
      engine.modifyOrder({ symbol: 'BTCUSDT', ref: { clientOrderId: 'gtx' }, side: 'BUY', priceTicks: asTicks(BID + 1), qtySteps: asSteps(5) }, T0),
    );
    expect(gtx.order.status).toBe('CANCELED');
    expect(executions(gtx.events)).toEqual(['CANCELED:CANCELED']);

    accepted(engine.placeOrder(limit('BUY', BID - 1, 10, { clientOrderId: 'part' }), T0));
    engine.applyMarket('BTCUSDT', bookAt(BID), [{ aggressor: 'SELL', priceTicks: asTicks(BID - 1), qtySteps: asSteps(4) }], 2 * BID + 1, T0 + 1);
    const shrunk = accepted(
      engine.modifyOrder({ symbol: 'BTCUSDT', ref: { clientOrderId: 'part' }, side: 'BUY', priceTicks: asTicks(BID - 1), qtySteps: asSteps(4) }, T0 + 2),
    );
    expect(shrunk.order).toMatchObject({ status: 'CANCELED', executedSteps: 4 });
  });

  it("refuses with Binance's codes and leaves the order as it was", () => {
    const engine = ready();
    const order = accepted(engine.placeOrder(limit('SELL', BID + 30, 5, { clientOrderId: 'keep' }), T0)).order;
    const modify = (
      change: Partial<{ side: 'BUY' | 'SELL'; priceTicks: Ticks; qtySteps: Steps }>,
      ref: { clientOrderId: string } = { clientOrderId: 'keep' },
    ) => engine.modifyOrder({ symbol: 'BTCUSDT', ref, side: 'SELL', priceTicks: asTicks(BID + 30), qtySteps: asSteps(5), ...change }, T0);
    expect(codeOf(modify({}))).toBe(-5027);
    expect(codeOf(modify({ side: 'BUY' }))).toBe(-1130);
    expect(codeOf(modify({ qtySteps: asSteps(1) }))).toBe(-5029);
    expect(codeOf(modify({ priceTicks: asTicks(BID + 40) }, { clientOrderId: 'nope' }))).toBe(-2013);
    expect(engine.queryOrder('BTCUSDT', { orderId: order.orderId })).toMatchObject({ priceTicks: BID + 30, qtySteps: 5, status: 'NEW', amendments: 0 });
  });

  it('keeps a reduce-only amendment within the position it reduces (-2022)', () => {
    const engine = ready();
    accepted(engine.placeOrder({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', qtySteps: asSteps(5), reduceOnly: false }, T0));
    accepted(engine.placeOrder(limit('SELL', BID + 30, 5, { reduceOnly: true, clientOrderId: 'ro' }), T0));
    expect(
      codeOf(engine.modifyOrder({ symbol: 'BTCUSDT', ref: { clientOrderId: 'ro' }, side: 'SELL', priceTicks: asTicks(BID + 30), qtySteps: asSteps(6) }, T0)),
    ).toBe(-2022);
    expect(
      accepted(engine.modifyOrder({ symbol: 'BTCUSDT', ref: { clientOrderId: 'ro' }, side: 'SELL', priceTicks: asTicks(BID + 31), qtySteps: asSteps(5) }, T0))
        .order.priceTicks,
    ).toBe(BID + 31);
  });
});

describe('MatchingEngine: placement answers and validation without placing', () => {
  it('tells the order as accepted (ACK) apart from the order after matching (RESULT)', () => {
    const engine = ready();
    const result = accepted(engine.placeOrder({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', qtySteps: asSteps(3), reduceOnly: false }, T0));
    if (!('accepted' in result)) throw new Error('a placement tells the accepted order');
    expect(result.accepted).toMatchObject({ status: 'NEW', executedSteps: 0, cumQuote: 0n });
    expect(result.order).toMatchObject({ status: 'FILLED', executedSteps: 3 });
  });

  it('validates an order with every placement check and places nothing (order/test)', () => {
    const engine = ready();
    expect(engine.validateOrder(limit('BUY', BID - 10, 5))).toBeNull();
    expect(engine.validateOrder(limit('BUY', BID + 1, 5, { timeInForce: 'GTX' }))?.binanceCode).toBe(-5022);
    expect(engine.validateOrder(limit('BUY', BID - 10, 1))?.binanceCode).toBe(-4164);
    expect(engine.validateOrder({ ...limit('BUY', BID - 10, 5), symbol: 'XYZUSDT' })?.binanceCode).toBe(-1121);
    expect(engine.openOrders()).toEqual([]);
  });

  it('reports a leverage change as an account configuration event', () => {
    const engine = ready();
    expect(engine.setLeverage('BTCUSDT', 25, T0)).toEqual([{ kind: 'config', symbol: 'BTCUSDT', leverage: 25, timeMs: T0 }]);
    expect(engine.settings('BTCUSDT').leverage).toBe(25);
    expect(() => engine.setLeverage('BTCUSDT', 126, T0)).toThrow(expect.objectContaining({ binanceCode: -4028 }));
  });
});
