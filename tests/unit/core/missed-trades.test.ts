/**
 * Fills read back from the venue's trade history after a user-stream outage
 * (MarketMaker.applyMissedTrades): applied exactly as their user-stream TRADE would be, once per
 * trade id whichever way it comes first, to the inventory and to the order.
 */
import { describe, expect, it } from 'vitest';
import type { EventDraft } from '../../../src/core/events.ts';
import type { MarketMaker } from '../../../src/core/market-maker.ts';
import type { OrderStatus, PlaceOrder, UserTrade } from '../../../src/core/model.ts';
import { acceptAll, btc, places, readyMaker, T0, tradeUpdate, written } from './fixtures.ts';
import { asSteps, asTicks, ZERO_STEPS, ZERO_TICKS } from '../../../src/core/instrument.ts';

interface Fill {
  readonly order: PlaceOrder;
  readonly qtySteps: number;
  readonly cumSteps: number;
  readonly priceTicks: number;
  readonly tradeId: number;
  readonly commission: bigint;
  readonly timeMs: number;
}

/** Returns a maker resting one bid and one ask (levels 1), both accepted. */
function quoted(): { mm: MarketMaker; bid: PlaceOrder; ask: PlaceOrder } {
  const mm = readyMaker({ levels: 1 });
  const d = mm.decide(T0);
  acceptAll(mm, d.commands, T0);
  const [bid, ask] = [places(d.commands).find((p) => p.side === 'BUY'), places(d.commands).find((p) => p.side === 'SELL')];
  if (!bid || !ask) throw new Error('no quotes');
  return { mm, bid, ask };
}

function asTrade(f: Fill, orderId = `o-${f.order.clientOrderId}`): UserTrade {
  return {
    symbol: 'BTCUSDT',
    tradeId: f.tradeId,
    orderId,
    side: f.order.side,
    priceTicks: asTicks(f.priceTicks),
    qtySteps: asSteps(f.qtySteps),
    commission: f.commission,
    commissionAsset: 'USDT',
    realizedPnl: 0n,
    isMaker: true,
    timeMs: f.timeMs,
  };
}

function asUpdate(f: Fill) {
  const status: OrderStatus = f.cumSteps >= f.order.qtySteps ? 'FILLED' : 'PARTIALLY_FILLED';
  return tradeUpdate(f.order, {
    side: f.order.side,
    priceTicks: f.priceTicks,
    qtySteps: f.qtySteps,
    cumSteps: f.cumSteps,
    status,
    tradeId: f.tradeId,
    commission: f.commission,
    txTimeMs: f.timeMs,
  });
}

/** The bid fills 4 then 6 (a long of 10), then the ask closes 7 of it at a higher price. */
function script(bid: PlaceOrder, ask: PlaceOrder): Fill[] {
  const b = bid.priceTicks ?? ZERO_TICKS;
  const a = ask.priceTicks ?? 0;
  return [
    { order: bid, qtySteps: 4, cumSteps: 4, priceTicks: b, tradeId: 101, commission: 520_000n, timeMs: T0 + 10 },
    { order: bid, qtySteps: 6, cumSteps: 10, priceTicks: b, tradeId: 102, commission: 780_000n, timeMs: T0 + 20 },
    { order: ask, qtySteps: 7, cumSteps: 7, priceTicks: a, tradeId: 103, commission: -910_000n, timeMs: T0 + 30 },
  ];
}

function books(mm: MarketMaker) {
  const v = mm.view(T0 + 100);
  return {
    position: v.positionSteps,
    fees: v.fees,
    realized: v.realizedPnl,
    entry: v.entryPrice,
    pendingBuy: v.pendingBuySteps,
    pendingSell: v.pendingSellSteps,
    open: v.openOrders,
  };
}

function filled(events: readonly EventDraft[]): Array<Record<string, unknown>> {
  return events.filter((e) => e.event === 'order_filled').map((e) => written(e.fields));
}

describe('MarketMaker.applyMissedTrades', () => {
  it('leaves the same books, order states and order_filled as the user stream would (only `via` differs)', () => {
    const stream = quoted();
    const backfill = quoted();
    const streamed = script(stream.bid, stream.ask).flatMap((f) => stream.mm.onOrderUpdate(asUpdate(f), T0 + 50));
    const replayed = backfill.mm.applyMissedTrades(
      script(backfill.bid, backfill.ask).map((f) => asTrade(f)),
      T0 + 50,
    );
    expect(books(backfill.mm)).toEqual(books(stream.mm));
    expect(books(backfill.mm)).toMatchObject({ position: 3, fees: 390_000n, pendingBuy: 0, pendingSell: 3 });
    expect(backfill.mm.view(T0).realizedPnl).toBeGreaterThan(0n);
    expect(filled(replayed)).toEqual(filled(streamed).map((f) => ({ ...f, via: 'backfill' })));
    expect(filled(streamed).every((f) => f.via === 'user_stream')).toBe(true);
    for (const side of ['bid', 'ask'] as const) {
      const a = stream.mm.order(stream[side].clientOrderId);
      const b = backfill.mm.order(backfill[side].clientOrderId);
      expect({ state: b?.state, status: b?.status, filled: b?.filledSteps }).toEqual({ state: a?.state, status: a?.status, filled: a?.filledSteps });
    }
    expect(backfill.mm.order(backfill.bid.clientOrderId)).toMatchObject({ state: 'final', status: 'FILLED', filledSteps: 10 });
    expect(backfill.mm.order(backfill.ask.clientOrderId)).toMatchObject({ state: 'open', filledSteps: 7 });
    expect(replayed.filter((e) => e.event === 'order_settled').map((e) => e.fields)).toEqual([
      { symbol: 'BTCUSDT', client_id: backfill.bid.clientOrderId, status: 'FILLED', via: 'backfill' },
    ]);
    expect(replayed.filter((e) => e.event === 'position_update').map((e) => (e.fields as { reason: string }).reason)).toEqual([
      'fill_backfill',
      'fill_backfill',
      'fill_backfill',
    ]);
  });

  it('is idempotent: a second backfill and the same trades on the stream afterwards change nothing', () => {
    const { mm, bid, ask } = quoted();
    const fills = script(bid, ask);
    mm.applyMissedTrades(
      fills.map((f) => asTrade(f)),
      T0 + 50,
    );
    const after = books(mm);
    expect(
      mm.applyMissedTrades(
        fills.map((f) => asTrade(f)),
        T0 + 60,
      ),
    ).toEqual([]);
    for (const f of fills) expect(filled(mm.onOrderUpdate(asUpdate(f), T0 + 70))).toEqual([]);
    expect(books(mm)).toEqual(after);
  });

  it('skips what the stream already applied, in any overlap, and applies only the rest', () => {
    const both = quoted();
    const streamOnly = quoted();
    const fills = script(both.bid, both.ask);
    // The stream delivered the second fill before dying; the history repeats it among the others.
    const second = fills[1];
    if (!second) throw new Error('script');
    both.mm.onOrderUpdate(asUpdate(second), T0 + 25);
    const replayed = both.mm.applyMissedTrades(
      fills.map((f) => asTrade(f)),
      T0 + 50,
    );
    expect(filled(replayed).map((f) => f.qty)).toEqual(['0.004', '0.007']);
    for (const f of script(streamOnly.bid, streamOnly.ask)) streamOnly.mm.onOrderUpdate(asUpdate(f), T0 + 50);
    const a = books(both.mm);
    const b = books(streamOnly.mm);
    // Order of application differs (102 before 101), both at the bid price: the same books.
    expect(a).toEqual(b);
    expect(both.mm.order(both.bid.clientOrderId)).toMatchObject({ state: 'final', filledSteps: 10 });
  });

  it('ignores trades of orders that are not ours, of another symbol, and unsorted input is applied oldest first', () => {
    const { mm, bid, ask } = quoted();
    const fills = script(bid, ask);
    const foreign = { ...asTrade(fills[0] as Fill, '999'), tradeId: 50 };
    const otherSymbol = { ...asTrade(fills[0] as Fill), symbol: 'ETHUSDT', tradeId: 51 };
    expect(mm.applyMissedTrades([foreign, otherSymbol], T0 + 50)).toEqual([]);
    expect(books(mm).position).toBe(0);
    const reversed = mm.applyMissedTrades(fills.map((f) => asTrade(f)).reverse(), T0 + 50);
    expect(filled(reversed).map((f) => f.qty)).toEqual(['0.004', '0.006', '0.007']);
    // The foreign trade id was not consumed: had it been ours later, it would still count.
    expect(books(mm).position).toBe(3);
  });

  it('lists ambiguous orders without a venue id, to be queried before trades are matched', () => {
    const mm = readyMaker({ levels: 1 });
    const d = mm.decide(T0);
    const [first, second] = places(d.commands);
    if (!first || !second) throw new Error('no quotes');
    mm.onPlaceOutcome(first, { kind: 'ambiguous', reason: 'timeout' }, T0);
    mm.onPlaceOutcome(
      second,
      {
        kind: 'accepted',
        value: {
          symbol: 'BTCUSDT',
          orderId: '77',
          clientOrderId: second.clientOrderId,
          side: second.side,
          type: 'LIMIT',
          timeInForce: 'GTX',
          status: 'NEW',
          priceTicks: second.priceTicks ?? ZERO_TICKS,
          qtySteps: second.qtySteps,
          executedSteps: ZERO_STEPS,
          reduceOnly: false,
          updateTimeMs: T0,
        },
      },
      T0,
    );
    expect(mm.ordersWithoutVenueId()).toEqual([first.clientOrderId]);
    // Its trade cannot be matched until the query tells its venue id.
    const trade: UserTrade = {
      ...asTrade(
        {
          order: first,
          qtySteps: first.qtySteps,
          cumSteps: first.qtySteps,
          priceTicks: first.priceTicks ?? ZERO_TICKS,
          tradeId: 9,
          commission: 1n,
          timeMs: T0 + 5,
        },
        '55',
      ),
    };
    expect(mm.applyMissedTrades([trade], T0 + 10)).toEqual([]);
    mm.onOrderQuery(
      first.clientOrderId,
      {
        symbol: 'BTCUSDT',
        orderId: '55',
        clientOrderId: first.clientOrderId,
        side: first.side,
        type: 'LIMIT',
        timeInForce: 'GTX',
        status: 'FILLED',
        priceTicks: first.priceTicks ?? ZERO_TICKS,
        qtySteps: first.qtySteps,
        executedSteps: first.qtySteps,
        reduceOnly: false,
        updateTimeMs: T0 + 5,
      },
      T0 + 10,
    );
    expect(filled(mm.applyMissedTrades([trade], T0 + 11))).toHaveLength(1);
    expect(mm.view(T0 + 11).positionSteps).toBe(first.side === 'BUY' ? first.qtySteps : -first.qtySteps);
  });

  it('after a reconnect, a venue position equal to the backfilled one keeps our exact cost basis', () => {
    const { mm, bid, ask } = quoted();
    const b = bid.priceTicks ?? ZERO_TICKS;
    mm.markUnreconciled();
    mm.applyMissedTrades(
      [
        asTrade({ order: bid, qtySteps: 4, cumSteps: 4, priceTicks: b, tradeId: 1, commission: 0n, timeMs: T0 + 1 }),
        asTrade({ order: bid, qtySteps: 3, cumSteps: 7, priceTicks: b - 1, tradeId: 2, commission: 0n, timeMs: T0 + 2 }),
      ],
      T0 + 3,
    );
    // Fills at two prices: the average entry is off the tick grid, where the venue's entry is rounded.
    const entry = mm.view(T0 + 3).entryPrice;
    const venue = { symbol: 'BTCUSDT', amountSteps: asSteps(7), entryPrice: btc.formatPrice(b), markPrice: '65000.0', unrealizedPnl: 0n, updateTimeMs: T0 + 2 };
    mm.reconcile(
      [
        {
          symbol: 'BTCUSDT',
          orderId: `o-${bid.clientOrderId}`,
          clientOrderId: bid.clientOrderId,
          side: 'BUY',
          type: 'LIMIT',
          timeInForce: 'GTX',
          status: 'PARTIALLY_FILLED',
          priceTicks: b,
          qtySteps: asSteps(10),
          executedSteps: asSteps(7),
          reduceOnly: false,
          updateTimeMs: T0 + 2,
        },
        {
          symbol: 'BTCUSDT',
          orderId: `o-${ask.clientOrderId}`,
          clientOrderId: ask.clientOrderId,
          side: 'SELL',
          type: 'LIMIT',
          timeInForce: 'GTX',
          status: 'NEW',
          priceTicks: ask.priceTicks ?? ZERO_TICKS,
          qtySteps: asSteps(10),
          executedSteps: ZERO_STEPS,
          reduceOnly: false,
          updateTimeMs: T0,
        },
      ],
      venue,
      T0 + 4,
    );
    expect(mm.view(T0 + 4).entryPrice).toBe(entry);
    expect(entry).not.toBe(btc.formatPrice(b));
    // A fill timed before the venue's position update still counts in full (it was not adopted).
    mm.onOrderUpdate(
      asUpdate({ order: ask, qtySteps: 7, cumSteps: 7, priceTicks: ask.priceTicks ?? ZERO_TICKS, tradeId: 3, commission: 0n, timeMs: T0 + 1 }),
      T0 + 5,
    );
    expect(mm.view(T0 + 5).positionSteps).toBe(0);
  });
});
