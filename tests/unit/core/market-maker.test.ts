import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EventDraft, EventName } from '../../../src/core/events.ts';
import { AMBIGUOUS_QUERY_GRACE_MS, MarketMaker } from '../../../src/core/market-maker.ts';
import type { PlaceOrder } from '../../../src/core/model.ts';
import {
  acceptAll,
  baseParams,
  btc,
  bookTop,
  cancels,
  flatPosition,
  orderUpdate,
  places,
  quotedMaker,
  readyMaker,
  snapshotOf,
  T0,
  tradeUpdate,
  written,
} from './fixtures.ts';
import { asSteps } from '../../../src/core/instrument.ts';

function names(events: readonly EventDraft[]): EventName[] {
  return events.map((e) => e.event);
}

function isEvent<E extends EventName>(event: EventDraft, name: E): event is EventDraft<E> {
  return event.event === name;
}

/** Returns the risk transitions of a decision as [from, to, reason]. */
function riskSteps(events: readonly EventDraft[]): Array<[number, number, string]> {
  return events.flatMap((e): Array<[number, number, string]> => (isEvent(e, 'risk_state_changed') ? [[e.fields.from, e.fields.to, e.fields.reason]] : []));
}

describe('MarketMaker quoting', () => {
  it('quotes both sides as LIMIT GTX on the ladder once reconciled and connected', () => {
    const mm = readyMaker();
    const d = mm.decide(T0);
    expect(d.suppressed).toBeNull();
    const ps = places(d.commands);
    expect(ps.map((p) => [p.side, p.priceTicks, p.qtySteps])).toEqual([
      ['BUY', 649_675, 10],
      ['BUY', 649_350, 10],
      ['SELL', 650_326, 10],
      ['SELL', 650_651, 10],
    ]);
    for (const p of ps) {
      expect(p).toMatchObject({ type: 'LIMIT', timeInForce: 'GTX', reduceOnly: false, symbol: 'BTCUSDT' });
      expect(p.clientOrderId.startsWith('mm-sess1-q')).toBe(true);
    }
    expect(d.commands.every((c) => c.kind === 'place' && c.purpose === 'quote')).toBe(true);
    const decided = d.events.find((e) => e.event === 'quote_decided');
    expect(written(decided?.fields ?? {})).toMatchObject({
      mid: '65000.05',
      bid: '64967.5',
      ask: '65032.6',
      bid_qty: '0.010',
      risk_state: 0,
      suppressed: null,
    });
  });

  it('raises a quote below MIN_NOTIONAL to the minimum on the grid', () => {
    const mm = readyMaker({ orderQty: '0.001', levels: 1 });
    expect(places(mm.decide(T0).commands).map((p) => p.qtySteps)).toEqual([2, 2]);
  });

  it('keeps quotes within the requote tolerance, and replaces others only after the cancel is confirmed', () => {
    const mm = readyMaker({ levels: 1 });
    const first = places(mm.decide(T0).commands);
    acceptAll(mm, mm.decide(T0).commands, T0);
    acceptAll(
      mm,
      first.map((order) => ({ kind: 'place', order, purpose: 'quote' }) as const),
      T0,
    );
    mm.onBookTop(bookTop(650_001, 650_002, T0 + 1), T0 + 1);
    expect(mm.decide(T0 + 1).commands).toEqual([]);

    mm.onBookTop(bookTop(651_000, 651_001, T0 + 2), T0 + 2);
    const moved = mm.decide(T0 + 2);
    expect(moved.commands.map((c) => c.kind)).toEqual(['cancel', 'cancel']);
    expect(cancels(moved.commands).sort()).toEqual(first.map((p) => p.clientOrderId).sort());
    expect(mm.decide(T0 + 3).commands).toEqual([]);

    const bid = first.find((p) => p.side === 'BUY');
    if (!bid) throw new Error('no bid');
    mm.onCancelOutcome({ symbol: 'BTCUSDT', clientOrderId: bid.clientOrderId }, { kind: 'accepted', value: snapshotOf(bid, 'CANCELED') }, T0 + 4);
    const replaced = places(mm.decide(T0 + 4).commands);
    expect(replaced.map((p) => p.side)).toEqual(['BUY']);
    expect(replaced[0]?.clientOrderId).not.toBe(bid.clientOrderId);
  });

  it('in shadow mode reports decisions but never returns a command', () => {
    const mm = readyMaker({}, true);
    for (let i = 0; i < 5; i += 1) {
      mm.onBookTop(bookTop(650_000 + i * 500, 650_001 + i * 500, T0 + i), T0 + i);
      const d = mm.decide(T0 + i);
      expect(d.commands).toEqual([]);
      expect(d.suppressed).toBe('shadow');
      expect(names(d.events)).toContain('quote_decided');
    }
    const v = mm.view(T0 + 5);
    expect(v.ourBidTicks).not.toBeNull();
    expect(v.ourAskTicks).toBeGreaterThan(v.ourBidTicks ?? Infinity);
    expect(v.openOrders + v.inFlight).toBe(0);
  });
});

describe('MarketMaker suppression', () => {
  it('suppresses until reconciled, with a reason, and resumes with quote_resumed', () => {
    const mm = new MarketMaker(btc, baseParams, { clientIdPrefix: 'mm', shadow: false, sessionId: 'sess1' });
    mm.onStreamState('market', true, T0);
    mm.onStreamState('user', true, T0);
    mm.onBookTop(bookTop(650_000, 650_001, T0), T0);
    const before = mm.decide(T0);
    expect(before.suppressed).toBe('not_reconciled');
    expect(before.commands).toEqual([]);
    expect(before.events.find((e) => e.event === 'quote_suppressed')?.fields).toMatchObject({ reason: 'not_reconciled' });
    mm.reconcile([], flatPosition(), T0);
    const after = mm.decide(T0);
    expect(after.events.find((e) => e.event === 'quote_resumed')?.fields).toMatchObject({ previous_reason: 'not_reconciled' });
    expect(places(after.commands)).toHaveLength(4);
  });

  it('cancels resting quotes when a stream drops, and needs a fresh book after the market stream returns', () => {
    const mm = readyMaker({ levels: 1 });
    const d = mm.decide(T0);
    acceptAll(mm, d.commands, T0);
    mm.onStreamState('market', false, T0 + 10);
    const blind = mm.decide(T0 + 10);
    expect(blind.suppressed).toBe('ws_disconnected');
    expect(cancels(blind.commands).sort()).toEqual(
      places(d.commands)
        .map((p) => p.clientOrderId)
        .sort(),
    );
    expect(places(blind.commands)).toEqual([]);
    mm.onStreamState('market', true, T0 + 20);
    expect(mm.decide(T0 + 20).suppressed).toBe('no_book');
    mm.onBookTop(bookTop(650_000, 650_001, T0 + 30), T0 + 30);
    expect(mm.decide(T0 + 30).suppressed).toBeNull();
  });

  it('reports stale and crossed books, the runner reasons, and precedence', () => {
    const mm = readyMaker();
    expect(mm.decide(T0 + baseParams.staleBookMs + 1).suppressed).toBe('stale_book');
    mm.onBookTop(bookTop(650_001, 650_001, T0 + 10_000), T0 + 10_000);
    expect(mm.decide(T0 + 10_000).suppressed).toBe('crossed_book');
    mm.onBookTop(bookTop(650_000, 650_001, T0 + 10_001), T0 + 10_001);
    mm.setSuppressed('rate_limited');
    const limited = mm.decide(T0 + 10_001);
    expect(limited.suppressed).toBe('rate_limited');
    expect(limited.commands).toEqual([]);
    mm.markUnreconciled();
    mm.setSuppressed('stopping');
    expect(mm.decide(T0 + 10_001).suppressed).toBe('stopping');
    mm.setSuppressed(null);
    expect(mm.decide(T0 + 10_001).suppressed).toBe('not_reconciled');
  });
});

describe('MarketMaker order tracking', () => {
  it('applies a duplicated trade once and ignores a late NEW after FILLED', () => {
    const { mm, bid } = quotedMaker();
    const fill = tradeUpdate(bid, {
      side: 'BUY',
      priceTicks: bid.priceTicks ?? 0,
      qtySteps: 10,
      cumSteps: 10,
      status: 'FILLED',
      tradeId: 7,
      commission: 13_000_000n,
    });
    expect(names(mm.onOrderUpdate(fill, T0 + 1))).toEqual(['order_update', 'order_filled', 'position_update']);
    expect(mm.onOrderUpdate(fill, T0 + 2)).toEqual([]);
    const lateNew = orderUpdate(bid.clientOrderId, { side: 'BUY', priceTicks: bid.priceTicks ?? 0, qtySteps: 10 }, { status: 'NEW', execution: 'NEW' });
    expect(mm.onOrderUpdate(lateNew, T0 + 3)).toEqual([]);
    const v = mm.view(T0 + 3);
    expect(v.positionSteps).toBe(10);
    expect(v.fees).toBe(13_000_000n);
    expect(mm.order(bid.clientOrderId)?.state).toBe('final');
    expect(v.pendingBuySteps).toBe(0);
  });

  it('counts out-of-order partial fills once each and keeps the highest cumulative quantity', () => {
    const { mm, bid } = quotedMaker();
    const price = bid.priceTicks ?? 0;
    const second = tradeUpdate(bid, { side: 'BUY', priceTicks: price, qtySteps: 4, cumSteps: 7, status: 'PARTIALLY_FILLED', tradeId: 2 });
    const first = tradeUpdate(bid, { side: 'BUY', priceTicks: price, qtySteps: 3, cumSteps: 3, status: 'PARTIALLY_FILLED', tradeId: 1 });
    mm.onOrderUpdate(second, T0 + 1);
    mm.onOrderUpdate(first, T0 + 2);
    mm.onOrderUpdate(second, T0 + 3);
    expect(mm.view(T0 + 3).positionSteps).toBe(7);
    expect(mm.order(bid.clientOrderId)?.filledSteps).toBe(7);
    expect(mm.view(T0 + 3).pendingBuySteps).toBe(3);
  });

  it('counts a commission in another asset nowhere and funding fees into the funding total', () => {
    const { mm, bid } = quotedMaker();
    mm.onOrderUpdate(
      {
        ...tradeUpdate(bid, { side: 'BUY', priceTicks: bid.priceTicks ?? 0, qtySteps: 10, cumSteps: 10, status: 'FILLED', tradeId: 3, commission: 5n }),
        commissionAsset: 'BNB',
      },
      T0 + 1,
    );
    const events = mm.onAccountUpdate(
      {
        reason: 'FUNDING_FEE',
        balances: [{ asset: 'USDT', walletBalance: 0n, crossWalletBalance: 0n, balanceChange: -1_234n }],
        positions: [],
        eventTimeMs: T0,
        txTimeMs: T0,
      },
      T0 + 2,
    );
    expect(events.map((e) => [e.event, written(e.fields)])).toEqual([
      ['funding_update', expect.objectContaining({ funding_fee: '-0.00001234', accum_pnl: '-0.00001234' })],
    ]);
    const v = mm.view(T0 + 2);
    expect(v.fees).toBe(0n);
    expect(v.fundingAccum).toBe(-1_234n);
  });

  it('never re-sends an ambiguous order, queries it after the grace period, and settles it from a query', () => {
    const mm = readyMaker({ levels: 1 });
    const d = mm.decide(T0);
    const [bid, ask] = places(d.commands);
    if (!bid || !ask) throw new Error('expected two quotes');
    expect(names(mm.onPlaceOutcome(bid, { kind: 'ambiguous', reason: 'timeout' }, T0 + 5))).toEqual(['order_ambiguous']);
    mm.onPlaceOutcome(ask, { kind: 'accepted', value: snapshotOf(ask) }, T0 + 5);
    expect(mm.decide(T0 + 6).commands).toEqual([]);
    expect(mm.view(T0 + 6).pendingBuySteps).toBe(10);
    expect(mm.ordersToQuery(T0 + 6)).toEqual([]);
    expect(mm.ordersToQuery(T0 + 5 + AMBIGUOUS_QUERY_GRACE_MS)).toEqual([bid.clientOrderId]);
    expect(mm.ordersToQuery(T0 + 6 + AMBIGUOUS_QUERY_GRACE_MS)).toEqual([]);
    const settled = mm.onOrderQuery(bid.clientOrderId, null, T0 + 3_000);
    expect(settled.map((e) => e.fields)).toEqual([expect.objectContaining({ status: 'NOT_FOUND', via: 'query' })]);
    expect(mm.onOrderQuery(bid.clientOrderId, null, T0 + 3_001)).toEqual([]);
    const again = places(mm.decide(T0 + 3_001).commands);
    expect(again.map((p) => p.side)).toEqual(['BUY']);
    expect(again[0]?.clientOrderId).not.toBe(bid.clientOrderId);
  });

  it('settles an ambiguous order from a user-stream NEW, which makes it open', () => {
    const mm = readyMaker({ levels: 1 });
    const [bid] = places(mm.decide(T0).commands);
    if (!bid) throw new Error('no bid');
    mm.onPlaceOutcome(bid, { kind: 'ambiguous', reason: '503 unknown' }, T0 + 1);
    const events = mm.onOrderUpdate(orderUpdate(bid.clientOrderId, { side: 'BUY', priceTicks: bid.priceTicks ?? 0, qtySteps: 10 }, {}), T0 + 2);
    expect(names(events)).toEqual(['order_update', 'order_settled']);
    expect(mm.order(bid.clientOrderId)?.state).toBe('open');
    expect(mm.ordersToQuery(T0 + 10_000)).toEqual([]);
  });

  it('reconciles: adopts known orders, cancels unknown ones with our prefix, ignores others, takes the venue position', () => {
    const mm = readyMaker({ levels: 1 });
    const [bid] = places(mm.decide(T0).commands);
    if (!bid) throw new Error('no bid');
    mm.markUnreconciled();
    const foreign = { ...snapshotOf({ ...bid, clientOrderId: 'web_1' }), orderId: 'x1' };
    const stale = { ...snapshotOf({ ...bid, clientOrderId: 'mm-oldsess-q1' }), orderId: 'x2' };
    const result = mm.reconcile([snapshotOf(bid), foreign, stale], { ...flatPosition(T0 + 50), amountSteps: asSteps(30), entryPrice: '64000.04' }, T0 + 100);
    expect(result.cancel).toEqual([{ symbol: 'BTCUSDT', clientOrderId: 'mm-oldsess-q1' }]);
    expect(written(result.events.at(-1)?.fields ?? {})).toMatchObject({ adopted: 1, cancelled: 1, open_orders: 3, position: '0.030', trigger: 'reconnect' });
    expect(mm.order(bid.clientOrderId)?.state).toBe('open');
    expect(mm.view(T0 + 100).positionSteps).toBe(30);
    expect(mm.view(T0 + 100).entryPrice).toBe('64000.00000');
    // a fill already included in the venue's position is not counted twice
    mm.onOrderUpdate(
      tradeUpdate(bid, { side: 'BUY', priceTicks: bid.priceTicks ?? 0, qtySteps: 5, cumSteps: 5, status: 'PARTIALLY_FILLED', tradeId: 11, txTimeMs: T0 + 40 }),
      T0 + 101,
    );
    expect(mm.view(T0 + 101).positionSteps).toBe(30);
    mm.onOrderUpdate(
      tradeUpdate(bid, { side: 'BUY', priceTicks: bid.priceTicks ?? 0, qtySteps: 5, cumSteps: 10, status: 'FILLED', tradeId: 12, txTimeMs: T0 + 60 }),
      T0 + 102,
    );
    expect(mm.view(T0 + 102).positionSteps).toBe(35);
  });
});

describe('MarketMaker risk', () => {
  it('steps 0 -> 1 -> 2 in one decision on a big fill, forces reduce-only clips, then steps back down', () => {
    const mm = readyMaker({ levels: 1 });
    const d = mm.decide(T0);
    acceptAll(mm, d.commands, T0);
    const bid = places(d.commands).find((p) => p.side === 'BUY');
    if (!bid) throw new Error('no bid');
    // 0.200 BTC at ~65000 = 13000 >= hard 10000
    mm.onOrderUpdate(tradeUpdate(bid, { side: 'BUY', priceTicks: bid.priceTicks ?? 0, qtySteps: 200, cumSteps: 10, status: 'FILLED', tradeId: 1 }), T0 + 1);
    const hard = mm.decide(T0 + 1);
    expect(riskSteps(hard.events).map(([from, to]) => [from, to])).toEqual([
      [0, 1],
      [1, 2],
    ]);
    expect(hard.events.find((e) => e.event === 'risk_freeze')?.fields).toMatchObject({ freezes_total: 1 });
    expect(hard.events.find((e) => e.event === 'freeze_triggered')?.fields).toMatchObject({ reason: 'risk_limit', edge_bps: null, threshold: null });
    expect(hard.suppressed).toBe('hard_reduce');
    const force = places(hard.commands);
    expect(force).toHaveLength(1);
    expect(force[0]).toMatchObject({ side: 'SELL', reduceOnly: true, priceTicks: 650_001, qtySteps: 20, timeInForce: 'GTX' });
    expect(hard.commands.find((c) => c.kind === 'place')).toMatchObject({ purpose: 'reduce_only_force' });
    expect(names(hard.events)).toContain('reduce_only_force');
    const [staleAsk] = cancels(hard.commands);
    expect(hard.commands.find((c) => c.kind === 'cancel')).toMatchObject({ reason: 'hard_reduce' });
    expect(mm.view(T0 + 1).reduceOnlyForceCount).toBe(1);
    expect(mm.decide(T0 + 2).commands.filter((c) => c.kind === 'place')).toEqual([]);

    const clip = force[0];
    if (!clip) throw new Error('no clip');
    mm.onPlaceOutcome(clip, { kind: 'accepted', value: snapshotOf(clip) }, T0 + 2);
    // sell down to 0.050 (3250 < soft 5000, worst case within limit): 2 -> 1 -> 0, quoting both sides again
    mm.onOrderUpdate(tradeUpdate(clip, { side: 'SELL', priceTicks: 650_001, qtySteps: 150, cumSteps: 20, status: 'FILLED', tradeId: 2 }), T0 + 3);
    const askOrder = places(d.commands).find((p) => p.clientOrderId === staleAsk);
    if (!askOrder) throw new Error('no ask');
    mm.onCancelOutcome({ symbol: 'BTCUSDT', clientOrderId: askOrder.clientOrderId }, { kind: 'accepted', value: snapshotOf(askOrder, 'CANCELED') }, T0 + 3);
    const down = mm.decide(T0 + 3);
    expect(riskSteps(down.events).map(([from, to]) => [from, to])).toEqual([
      [2, 1],
      [1, 0],
    ]);
    expect(down.events.find((e) => e.event === 'freeze_cleared')?.fields).toMatchObject({ reason: 'risk_back_under_soft_limit' });
    expect(down.events.find((e) => e.event === 'quote_resumed')?.fields).toMatchObject({ previous_reason: 'hard_reduce' });
    expect(
      places(down.commands)
        .map((p) => p.side)
        .sort(),
    ).toEqual(['BUY', 'SELL']);
  });

  it('in soft reduce quotes only the reducing side at the reduced size and cancels the other side', () => {
    const mm = readyMaker({ levels: 1 });
    const d = mm.decide(T0);
    acceptAll(mm, d.commands, T0);
    const ask = places(d.commands).find((p) => p.side === 'SELL');
    const bid = places(d.commands).find((p) => p.side === 'BUY');
    if (!ask || !bid) throw new Error('expected quotes');
    // short 0.080 at ~65000 = 5200: over soft (5000), under hard (10000)
    mm.onOrderUpdate(
      tradeUpdate(ask, { side: 'SELL', priceTicks: ask.priceTicks ?? 0, qtySteps: 80, cumSteps: 5, status: 'PARTIALLY_FILLED', tradeId: 1 }),
      T0 + 1,
    );
    const soft = mm.decide(T0 + 1);
    expect(riskSteps(soft.events)).toEqual([[0, 1, 'position_notional_at_or_over_soft_limit']]);
    expect(soft.suppressed).toBeNull();
    // the increasing ask goes; the reducing bid is resized (replaced once its cancel is confirmed)
    expect(soft.commands.map((c) => (c.kind === 'cancel' ? [c.cancel.clientOrderId, c.reason] : c.kind)).sort()).toEqual(
      [
        [ask.clientOrderId, 'risk_state_1'],
        [bid.clientOrderId, 'requote'],
      ].sort(),
    );
    mm.onCancelOutcome({ symbol: 'BTCUSDT', clientOrderId: bid.clientOrderId }, { kind: 'accepted', value: snapshotOf(bid, 'CANCELED') }, T0 + 2);
    const resized = mm.decide(T0 + 2);
    expect(places(resized.commands).map((p) => [p.side, p.qtySteps, p.reduceOnly])).toEqual([['BUY', 5, false]]);
    expect(mm.view(T0 + 1).riskState).toBe(1);
  });

  it('never lets decided quotes take a worst case over its limit (random fills, book moves and answers)', () => {
    const limit = 2_000n * 100_000_000n;
    const action = fc.oneof(
      fc.record({ kind: fc.constant('book' as const), move: fc.integer({ min: -300, max: 300 }) }),
      fc.record({ kind: fc.constant('fill' as const), pick: fc.nat(), part: fc.double({ min: 0.1, max: 1, noNaN: true }) }),
      fc.record({ kind: fc.constant('answer' as const), pick: fc.nat(), how: fc.constantFrom('accepted', 'ambiguous', 'rejected') }),
      fc.record({ kind: fc.constant('cancelled' as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant('query' as const), pick: fc.nat() }),
    );
    fc.assert(
      fc.property(fc.array(action, { minLength: 5, maxLength: 60 }), (actions) => {
        const mm = readyMaker({ levels: 4, maxWorstCaseNotional: '2000', softPositionNotional: '3000', hardPositionNotional: '6000' });
        const sent = new Map<string, PlaceOrder>();
        const unanswered: string[] = [];
        const cancelling: string[] = [];
        let now = T0;
        let mid = 650_000;
        let tradeId = 0;
        for (const a of actions) {
          now += 100;
          if (a.kind === 'book') {
            mid += a.move;
            mm.onBookTop(bookTop(mid, mid + 1, now, now), now);
          } else if (a.kind === 'fill') {
            const open = mm.openClientOrderIds().filter((id) => mm.order(id)?.state === 'open');
            const id = open[a.pick % Math.max(1, open.length)];
            const order = id === undefined ? undefined : sent.get(id);
            const tracked = id === undefined ? undefined : mm.order(id);
            if (order && tracked) {
              const remaining = tracked.qtySteps - tracked.filledSteps;
              const qty = Math.max(1, Math.floor(remaining * a.part));
              const cum = tracked.filledSteps + qty;
              mm.onOrderUpdate(
                tradeUpdate(order, {
                  side: order.side,
                  priceTicks: order.priceTicks ?? 0,
                  qtySteps: qty,
                  cumSteps: cum,
                  status: cum >= order.qtySteps ? 'FILLED' : 'PARTIALLY_FILLED',
                  tradeId: ++tradeId,
                  txTimeMs: now,
                }),
                now,
              );
            }
          } else if (a.kind === 'answer' && unanswered.length > 0) {
            const [id] = unanswered.splice(a.pick % unanswered.length, 1);
            const order = id === undefined ? undefined : sent.get(id);
            if (order) {
              const outcome =
                a.how === 'accepted'
                  ? ({ kind: 'accepted', value: snapshotOf(order) } as const)
                  : a.how === 'ambiguous'
                    ? ({ kind: 'ambiguous', reason: 'timeout' } as const)
                    : ({ kind: 'rejected', code: -5022, reason: 'post only', httpStatus: 400 } as const);
              mm.onPlaceOutcome(order, outcome, now);
            }
          } else if (a.kind === 'cancelled' && cancelling.length > 0) {
            const [id] = cancelling.splice(a.pick % cancelling.length, 1);
            const order = id === undefined ? undefined : sent.get(id);
            if (order)
              mm.onCancelOutcome({ symbol: 'BTCUSDT', clientOrderId: order.clientOrderId }, { kind: 'accepted', value: snapshotOf(order, 'CANCELED') }, now);
          } else if (a.kind === 'query') {
            for (const id of mm.ordersToQuery(now + AMBIGUOUS_QUERY_GRACE_MS)) {
              const order = sent.get(id);
              if (order) mm.onOrderQuery(id, a.pick % 2 === 0 ? null : snapshotOf(order), now);
            }
          }
          const d = mm.decide(now);
          for (const c of d.commands) {
            if (c.kind === 'cancel') {
              cancelling.push(c.cancel.clientOrderId);
              continue;
            }
            expect(sent.has(c.order.clientOrderId)).toBe(false);
            sent.set(c.order.clientOrderId, c.order);
            unanswered.push(c.order.clientOrderId);
            const slot = mm.order(c.order.clientOrderId)?.slot;
            const sameSlot = mm.openClientOrderIds().filter((id) => mm.order(id)?.slot === slot);
            expect(sameSlot).toEqual([c.order.clientOrderId]);
          }
          const view = mm.view(now);
          const placed = places(d.commands).filter((p) => !p.reduceOnly);
          if (placed.some((p) => p.side === 'BUY')) expect(view.worstLongNotional <= limit).toBe(true);
          if (placed.some((p) => p.side === 'SELL')) expect(view.worstShortNotional <= limit).toBe(true);
          for (const p of places(d.commands)) {
            expect(p.priceTicks ?? 0).toBeLessThanOrEqual(p.side === 'BUY' ? mid : Infinity);
            expect(p.priceTicks ?? 0).toBeGreaterThanOrEqual(p.side === 'SELL' ? mid + 1 : -Infinity);
          }
        }
      }),
      { numRuns: 150 },
    );
  });
});

describe('MarketMaker freeze', () => {
  it('freezes on a poor rolling edge, cancels quotes, and clears after the cooldown', () => {
    const mm = readyMaker({ levels: 1, edgeWindowFills: 3, minEdgeBps: 0, freezeCooldownMs: 1_000, inventorySkewBps: 0 });
    const d = mm.decide(T0);
    acceptAll(mm, d.commands, T0);
    const bid = places(d.commands).find((p) => p.side === 'BUY');
    const ask = places(d.commands).find((p) => p.side === 'SELL');
    if (!bid || !ask) throw new Error('expected quotes');
    // bought above mid and sold below it as taker: negative edge
    mm.onOrderUpdate(
      tradeUpdate(bid, { side: 'BUY', priceTicks: 650_100, qtySteps: 1, cumSteps: 1, status: 'PARTIALLY_FILLED', tradeId: 1, isMaker: false }),
      T0 + 1,
    );
    expect(mm.decide(T0 + 1).suppressed).toBeNull();
    mm.onOrderUpdate(
      tradeUpdate(bid, { side: 'BUY', priceTicks: 650_100, qtySteps: 1, cumSteps: 2, status: 'PARTIALLY_FILLED', tradeId: 2, isMaker: false }),
      T0 + 2,
    );
    mm.onOrderUpdate(
      tradeUpdate(ask, { side: 'SELL', priceTicks: 649_900, qtySteps: 1, cumSteps: 1, status: 'PARTIALLY_FILLED', tradeId: 3, isMaker: false }),
      T0 + 2,
    );
    const frozen = mm.decide(T0 + 3);
    expect(names(frozen.events)).toEqual(expect.arrayContaining(['freeze_triggered', 'quote_suppressed']));
    // Specification 002: the threshold beside the edge, and a risk_freeze for every freeze, counted.
    expect(frozen.events.find((e) => e.event === 'freeze_triggered')?.fields).toMatchObject({ reason: 'edge_below_minimum', threshold: 0 });
    expect(frozen.events.find((e) => e.event === 'risk_freeze')?.fields).toEqual({
      symbol: 'BTCUSDT',
      reason: 'edge_below_minimum',
      risk_ratio: null,
      freezes_total: 1,
    });
    expect(frozen.suppressed).toBe('frozen');
    expect(cancels(frozen.commands).sort()).toEqual([bid.clientOrderId, ask.clientOrderId].sort());
    expect(mm.view(T0 + 3).frozenReason).not.toBeNull();
    expect(mm.view(T0 + 3).edgeBps).toBeLessThan(0);
    const cleared = mm.decide(T0 + 1_003);
    expect(names(cleared.events)).toEqual(expect.arrayContaining(['freeze_cleared', 'quote_resumed']));
    expect(cleared.suppressed).toBeNull();
  });
});
