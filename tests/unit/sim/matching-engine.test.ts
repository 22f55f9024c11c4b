import { describe, expect, it } from 'vitest';
import type { EngineEvent, PlaceResult } from '../../../src/sim/engine-types.ts';
import type { MatchingEngine } from '../../../src/sim/matching-engine.ts';
import { BTC, bookAt, newEngine } from './engine-fixtures.ts';
import { asSteps, asTicks, ZERO_STEPS } from '../../../src/core/instrument.ts';

const T0 = 1_700_000_000_000;
const MID_BID = 650_000; // 65000.0

function ready(): MatchingEngine {
  const engine = newEngine();
  engine.applyMarket('BTCUSDT', bookAt(MID_BID), [], 2 * MID_BID + 1, T0);
  return engine;
}

function okOrder(result: PlaceResult) {
  if (!result.ok) throw new Error(`expected acceptance, got ${result.error.binanceCode} ${result.error.message}`);
  return result;
}

function codeOf(result: PlaceResult): number | null {
  return result.ok ? null : result.error.binanceCode;
}

function executions(events: readonly EngineEvent[]): string[] {
  return events.flatMap((e) => (e.kind === 'order' ? [`${e.order.clientOrderId}:${e.execution}:${e.order.status}`] : []));
}

describe('MatchingEngine: validation', () => {
  it('rejects a post-only that would take with -5022 and records nothing', () => {
    const engine = ready();
    const result = engine.placeOrder(
      {
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'LIMIT',
        timeInForce: 'GTX',
        priceTicks: asTicks(MID_BID + 1),
        qtySteps: asSteps(5),
        reduceOnly: false,
        clientOrderId: 'gtx1',
      },
      T0,
    );
    expect(codeOf(result)).toBe(-5022);
    expect(engine.openOrders('BTCUSDT')).toHaveLength(0);
    expect(() => engine.queryOrder('BTCUSDT', { clientOrderId: 'gtx1' })).toThrow(expect.objectContaining({ binanceCode: -2013 }));
  });

  it('rejects a post-only that would cross our own resting order', () => {
    const engine = ready();
    okOrder(
      engine.placeOrder(
        { symbol: 'BTCUSDT', side: 'SELL', type: 'LIMIT', timeInForce: 'GTC', priceTicks: asTicks(MID_BID + 50), qtySteps: asSteps(5), reduceOnly: false },
        T0,
      ),
    );
    const result = engine.placeOrder(
      { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTX', priceTicks: asTicks(MID_BID + 50), qtySteps: asSteps(5), reduceOnly: false },
      T0,
    );
    expect(codeOf(result)).toBe(-5022);
  });

  it('rejects below min notional (-4164) unless reduce-only', () => {
    const engine = ready();
    const result = engine.placeOrder(
      { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', priceTicks: asTicks(MID_BID - 10), qtySteps: asSteps(1), reduceOnly: false },
      T0,
    );
    expect(codeOf(result)).toBe(-4164);
    expect(result.ok ? '' : result.error.message).toBe("Order's notional must be no smaller than 100 (unless you choose reduce only).");
  });

  it('rejects a duplicate client order id among open orders (-4116) but allows reuse once closed', () => {
    const engine = ready();
    const first = okOrder(
      engine.placeOrder(
        {
          symbol: 'BTCUSDT',
          side: 'BUY',
          type: 'LIMIT',
          timeInForce: 'GTC',
          priceTicks: asTicks(MID_BID - 10),
          qtySteps: asSteps(5),
          reduceOnly: false,
          clientOrderId: 'dup',
        },
        T0,
      ),
    );
    expect(
      codeOf(
        engine.placeOrder(
          {
            symbol: 'BTCUSDT',
            side: 'BUY',
            type: 'LIMIT',
            timeInForce: 'GTC',
            priceTicks: asTicks(MID_BID - 20),
            qtySteps: asSteps(5),
            reduceOnly: false,
            clientOrderId: 'dup',
          },
          T0,
        ),
      ),
    ).toBe(-4116);
    expect(engine.cancelOrder('BTCUSDT', { orderId: first.order.orderId }, T0).ok).toBe(true);
    expect(
      engine.placeOrder(
        {
          symbol: 'BTCUSDT',
          side: 'BUY',
          type: 'LIMIT',
          timeInForce: 'GTC',
          priceTicks: asTicks(MID_BID - 20),
          qtySteps: asSteps(5),
          reduceOnly: false,
          clientOrderId: 'dup',
        },
        T0,
      ).ok,
    ).toBe(true);
  });

  it('rejects an invalid client order id with -1100', () => {
    const engine = ready();
    const result = engine.placeOrder(
      {
        symbol: 'BTCUSDT',
        side: 'BUY',
        type: 'LIMIT',
        timeInForce: 'GTC',
        priceTicks: asTicks(MID_BID - 10),
        qtySteps: asSteps(5),
        reduceOnly: false,
        clientOrderId: 'has space',
      },
      T0,
    );
    expect(codeOf(result)).toBe(-1100);
  });

  it('rejects reduce-only that would open or increase a position (-2022)', () => {
    const engine = ready();
    expect(
      codeOf(
        engine.placeOrder(
          { symbol: 'BTCUSDT', side: 'SELL', type: 'LIMIT', timeInForce: 'GTC', priceTicks: asTicks(MID_BID + 10), qtySteps: asSteps(5), reduceOnly: true },
          T0,
        ),
      ),
    ).toBe(-2022);
    okOrder(engine.placeOrder({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', qtySteps: asSteps(5), reduceOnly: false }, T0));
    expect(
      codeOf(
        engine.placeOrder(
          { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', priceTicks: asTicks(MID_BID - 10), qtySteps: asSteps(5), reduceOnly: true },
          T0,
        ),
      ),
    ).toBe(-2022);
    expect(
      codeOf(
        engine.placeOrder(
          { symbol: 'BTCUSDT', side: 'SELL', type: 'LIMIT', timeInForce: 'GTC', priceTicks: asTicks(MID_BID + 10), qtySteps: asSteps(6), reduceOnly: true },
          T0,
        ),
      ),
    ).toBe(-2022);
    expect(
      engine.placeOrder(
        { symbol: 'BTCUSDT', side: 'SELL', type: 'LIMIT', timeInForce: 'GTC', priceTicks: asTicks(MID_BID + 10), qtySteps: asSteps(5), reduceOnly: true },
        T0,
      ).ok,
    ).toBe(true);
  });

  it('answers -2011 to cancelling and -2013 to querying an unknown order', () => {
    const engine = ready();
    const cancel = engine.cancelOrder('BTCUSDT', { clientOrderId: 'nope' }, T0);
    expect(cancel.ok ? null : cancel.error.binanceCode).toBe(-2011);
    expect(() => engine.queryOrder('BTCUSDT', { orderId: 1 })).toThrow(expect.objectContaining({ binanceCode: -2013 }));
  });
});

describe('MatchingEngine: matching', () => {
  it('fills a resting bid partially then fully when the market trades through it', () => {
    const engine = ready();
    const placed = okOrder(
      engine.placeOrder(
        {
          symbol: 'BTCUSDT',
          side: 'BUY',
          type: 'LIMIT',
          timeInForce: 'GTX',
          priceTicks: asTicks(MID_BID - 10),
          qtySteps: asSteps(5),
          reduceOnly: false,
          clientOrderId: 'bid1',
        },
        T0,
      ),
    );
    expect(executions(placed.events)).toEqual(['bid1:NEW:NEW']);

    const events1 = engine.applyMarket(
      'BTCUSDT',
      bookAt(MID_BID),
      [{ aggressor: 'SELL', priceTicks: asTicks(MID_BID - 12), qtySteps: asSteps(2) }],
      2 * MID_BID + 1,
      T0 + 100,
    );
    expect(executions(events1)).toEqual(['bid1:TRADE:PARTIALLY_FILLED']);
    const fill = events1.find((e) => e.kind === 'order')!;
    expect(fill.kind === 'order' && fill.fill).toMatchObject({ priceTicks: MID_BID - 10, qtySteps: 2, maker: true });

    expect(
      engine.applyMarket(
        'BTCUSDT',
        bookAt(MID_BID),
        [{ aggressor: 'SELL', priceTicks: asTicks(MID_BID - 9), qtySteps: asSteps(50) }],
        2 * MID_BID + 1,
        T0 + 200,
      ),
    ).toEqual([]);
    const events2 = engine.applyMarket(
      'BTCUSDT',
      bookAt(MID_BID),
      [{ aggressor: 'SELL', priceTicks: asTicks(MID_BID - 10), qtySteps: asSteps(50) }],
      2 * MID_BID + 1,
      T0 + 300,
    );
    expect(executions(events2)).toEqual(['bid1:TRADE:FILLED']);
    expect(engine.position('BTCUSDT').amountSteps).toBe(5);
    expect(engine.position('BTCUSDT').entryPrice).toBe('64999.00');
  });

  it('fills a resting ask in full when the book moves through it', () => {
    const engine = ready();
    okOrder(
      engine.placeOrder(
        {
          symbol: 'BTCUSDT',
          side: 'SELL',
          type: 'LIMIT',
          timeInForce: 'GTC',
          priceTicks: asTicks(MID_BID + 20),
          qtySteps: asSteps(7),
          reduceOnly: false,
          clientOrderId: 'ask1',
        },
        T0,
      ),
    );
    const events = engine.applyMarket('BTCUSDT', bookAt(MID_BID + 30), [], 2 * (MID_BID + 30) + 1, T0 + 100);
    expect(executions(events)).toEqual(['ask1:TRADE:FILLED']);
    expect(engine.position('BTCUSDT').amountSteps).toBe(-7);
  });

  it('takes the synthetic book as taker, walking levels, and charges the taker fee', () => {
    const engine = newEngine();
    engine.applyMarket('BTCUSDT', bookAt(MID_BID, 3, 4), [], 2 * MID_BID + 1, T0);
    const result = okOrder(
      engine.placeOrder(
        {
          symbol: 'BTCUSDT',
          side: 'BUY',
          type: 'LIMIT',
          timeInForce: 'IOC',
          priceTicks: asTicks(MID_BID + 2),
          qtySteps: asSteps(10),
          reduceOnly: false,
          clientOrderId: 'ioc',
        },
        T0,
      ),
    );
    expect(executions(result.events)).toEqual(['ioc:NEW:NEW', 'ioc:TRADE:PARTIALLY_FILLED', 'ioc:TRADE:PARTIALLY_FILLED', 'ioc:EXPIRED:EXPIRED']);
    expect(result.order.executedSteps).toBe(8);
    const fills = engine.allFills();
    expect(fills.map((f) => [f.priceTicks, f.qtySteps, f.maker])).toEqual([
      [MID_BID + 1, 4, false],
      [MID_BID + 2, 4, false],
    ]);
    // 65000.1 * 0.004 = 260.0004 USDT; taker 0.05% = 0.1300002
    expect(fills[0]!.quote).toBe(26_000_040_000n);
    expect(fills[0]!.commission).toBe(13_000_020n);
  });

  it('expires a FOK that cannot fill in full without any fill', () => {
    const engine = newEngine();
    engine.applyMarket('BTCUSDT', bookAt(MID_BID, 2, 3), [], 2 * MID_BID + 1, T0);
    const result = okOrder(
      engine.placeOrder(
        {
          symbol: 'BTCUSDT',
          side: 'BUY',
          type: 'LIMIT',
          timeInForce: 'FOK',
          priceTicks: asTicks(MID_BID + 5),
          qtySteps: asSteps(7),
          reduceOnly: false,
          clientOrderId: 'fok',
        },
        T0,
      ),
    );
    expect(executions(result.events)).toEqual(['fok:NEW:NEW', 'fok:EXPIRED:EXPIRED']);
    expect(engine.allFills()).toHaveLength(0);
  });

  it('expires our own resting order met by an incoming order instead of self-trading', () => {
    const engine = newEngine();
    engine.applyMarket('BTCUSDT', bookAt(MID_BID - 5), [], 2 * MID_BID + 1, T0);
    engine.applyMarket('BTCUSDT', { bids: [[asTicks(MID_BID - 5), asSteps(1000)]], asks: [[asTicks(MID_BID + 10), asSteps(1000)]] }, [], 2 * MID_BID + 1, T0);
    okOrder(
      engine.placeOrder(
        {
          symbol: 'BTCUSDT',
          side: 'SELL',
          type: 'LIMIT',
          timeInForce: 'GTC',
          priceTicks: asTicks(MID_BID + 5),
          qtySteps: asSteps(5),
          reduceOnly: false,
          clientOrderId: 'ownask',
        },
        T0,
      ),
    );
    const result = okOrder(
      engine.placeOrder(
        {
          symbol: 'BTCUSDT',
          side: 'BUY',
          type: 'LIMIT',
          timeInForce: 'GTC',
          priceTicks: asTicks(MID_BID + 6),
          qtySteps: asSteps(5),
          reduceOnly: false,
          clientOrderId: 'buy',
        },
        T0,
      ),
    );
    expect(executions(result.events)).toEqual(['buy:NEW:NEW', 'ownask:EXPIRED:EXPIRED']);
    expect(engine.openOrders('BTCUSDT').map((o) => o.clientOrderId)).toEqual(['buy']);
  });

  it('realizes PnL with average entry and reconciles the wallet', () => {
    const engine = ready();
    okOrder(
      engine.placeOrder(
        { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', priceTicks: asTicks(MID_BID - 100), qtySteps: asSteps(10), reduceOnly: false },
        T0,
      ),
    );
    engine.applyMarket('BTCUSDT', bookAt(MID_BID), [{ aggressor: 'SELL', priceTicks: asTicks(MID_BID - 100), qtySteps: asSteps(10) }], 2 * MID_BID + 1, T0);
    okOrder(
      engine.placeOrder(
        { symbol: 'BTCUSDT', side: 'SELL', type: 'LIMIT', timeInForce: 'GTC', priceTicks: asTicks(MID_BID + 100), qtySteps: asSteps(4), reduceOnly: true },
        T0,
      ),
    );
    engine.applyMarket('BTCUSDT', bookAt(MID_BID), [{ aggressor: 'BUY', priceTicks: asTicks(MID_BID + 100), qtySteps: asSteps(4) }], 2 * MID_BID + 1, T0);
    const fills = engine.allFills();
    // bought 0.010 @ 64990.0, sold 0.004 @ 65010.0: rp = 20.0 * 0.004 = 0.08 USDT
    expect(fills[1]!.realizedPnl).toBe(8_000_000n);
    expect(engine.position('BTCUSDT')).toMatchObject({ amountSteps: 6, entryPrice: '64990.00' });
    const totals = engine.totals();
    expect(engine.walletBalance()).toBe(totals.startingBalance + totals.realizedPnl - totals.fees + totals.funding);
  });

  it('expires a reduce-only order once the position is closed by another fill', () => {
    const engine = ready();
    okOrder(engine.placeOrder({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', qtySteps: asSteps(5), reduceOnly: false }, T0));
    okOrder(
      engine.placeOrder(
        {
          symbol: 'BTCUSDT',
          side: 'SELL',
          type: 'LIMIT',
          timeInForce: 'GTC',
          priceTicks: asTicks(MID_BID + 100),
          qtySteps: asSteps(5),
          reduceOnly: true,
          clientOrderId: 'ro',
        },
        T0,
      ),
    );
    const close = okOrder(
      engine.placeOrder({ symbol: 'BTCUSDT', side: 'SELL', type: 'MARKET', qtySteps: asSteps(5), reduceOnly: false, clientOrderId: 'mkt' }, T0),
    );
    expect(executions(close.events)).toEqual(['mkt:NEW:NEW', 'mkt:TRADE:FILLED', 'ro:EXPIRED:EXPIRED']);
  });
});

describe('MatchingEngine: funding and countdown', () => {
  it('charges a long and pays a short when the rate is positive', () => {
    const engine = ready();
    okOrder(engine.placeOrder({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', qtySteps: asSteps(10), reduceOnly: false }, T0));
    const before = engine.walletBalance();
    const events = engine.settleFunding('BTCUSDT', 10_000, T0 + 1);
    // mark 65000.05 * 0.010 = 650.0005 USDT * 0.0001 = 0.06500005
    expect(events).toEqual([expect.objectContaining({ kind: 'account', reason: 'FUNDING_FEE', balanceChange: -6_500_005n })]);
    expect(engine.walletBalance()).toBe(before - 6_500_005n);
    expect(engine.totals().funding).toBe(-6_500_005n);
  });

  it('pays no funding when flat', () => {
    expect(ready().settleFunding('BTCUSDT', 10_000, T0)).toEqual([]);
  });

  it('cancels the symbol orders when the countdown elapses without refresh', () => {
    const engine = ready();
    okOrder(
      engine.placeOrder(
        {
          symbol: 'BTCUSDT',
          side: 'BUY',
          type: 'LIMIT',
          timeInForce: 'GTC',
          priceTicks: asTicks(MID_BID - 10),
          qtySteps: asSteps(5),
          reduceOnly: false,
          clientOrderId: 'a',
        },
        T0,
      ),
    );
    engine.setCountdown('BTCUSDT', 1000, T0);
    expect(engine.checkCountdowns(T0 + 999)).toEqual([]);
    engine.setCountdown('BTCUSDT', 1000, T0 + 900);
    expect(engine.checkCountdowns(T0 + 1500)).toEqual([]);
    expect(executions(engine.checkCountdowns(T0 + 1900))).toEqual(['a:CANCELED:CANCELED']);
    expect(engine.openOrders('BTCUSDT')).toHaveLength(0);
  });
});

describe('MatchingEngine: wire helpers', () => {
  it('formats an average price at least at the contract precision', () => {
    const engine = newEngine();
    expect(engine.averagePrice('BTCUSDT', 26_000_040_000n, asSteps(4))).toBe('65000.10');
    expect(engine.averagePrice('BTCUSDT', 0n, ZERO_STEPS)).toBe('0.00');
    expect(BTC.pricePrecision).toBe(2);
  });
});
