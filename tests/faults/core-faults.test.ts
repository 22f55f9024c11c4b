/**
 * The core's side of the fault policies, with a manual clock: a "not found" answer does not
 * write off an order the venue may still accept, an order written off and reported live is
 * cancelled as an orphan, nothing is sent while rate limited, and an unwritable event log
 * cancels quotes but lets risk-reducing orders through.
 */
import { describe, expect, it } from 'vitest';
import { MarketMaker } from '../../src/core/market-maker.ts';
import { AMBIGUOUS_QUERY_GRACE_MS } from '../../src/core/market-maker.ts';
import { baseParams, bookTop, btc, cancels, flatPosition, orderUpdate, places, snapshotOf, T0 } from '../unit/core/fixtures.ts';

const NOT_FOUND_AFTER_MS = 6_000;

function maker(): MarketMaker {
  const mm = new MarketMaker(
    btc,
    { ...baseParams, levels: 1 },
    { clientIdPrefix: 'mm', shadow: false, sessionId: 'sess1', notFoundAfterMs: NOT_FOUND_AFTER_MS },
  );
  mm.onStreamState('market', true, T0);
  mm.onStreamState('user', true, T0);
  mm.reconcile([], flatPosition(T0 - 1_000), T0);
  mm.onBookTop(bookTop(650_000, 650_001, T0), T0);
  return mm;
}

describe('ambiguous orders and late arrivals', () => {
  it('keeps an order ambiguous while the venue may still accept it, settles it NOT_FOUND after', () => {
    const mm = maker();
    const [bid] = places(mm.decide(T0).commands);
    if (!bid) throw new Error('no bid');
    mm.onPlaceOutcome(bid, { kind: 'ambiguous', reason: 'timeout' }, T0 + 2_000);
    expect(mm.ordersToQuery(T0 + 2_000 + AMBIGUOUS_QUERY_GRACE_MS)).toEqual([bid.clientOrderId]);
    expect(mm.onOrderQuery(bid.clientOrderId, null, T0 + 4_000)).toEqual([]);
    expect(mm.view(T0 + 4_000).ambiguous).toBe(1);
    expect(places(mm.decide(T0 + 4_000).commands).filter((p) => p.side === 'BUY')).toEqual([]);
    expect(mm.ordersToQuery(T0 + 6_500)).toEqual([bid.clientOrderId]);
    expect(mm.onOrderQuery(bid.clientOrderId, null, T0 + 6_500).map((e) => e.fields)).toEqual([expect.objectContaining({ status: 'NOT_FOUND', via: 'query' })]);
  });

  it('cancels an order written off as NOT_FOUND that the user stream later reports live', () => {
    const mm = maker();
    const [bid] = places(mm.decide(T0).commands);
    if (!bid) throw new Error('no bid');
    mm.onPlaceOutcome(bid, { kind: 'ambiguous', reason: 'timeout' }, T0 + 2_000);
    mm.onOrderQuery(bid.clientOrderId, null, T0 + 7_000);
    expect(mm.order(bid.clientOrderId)?.state).toBe('final');
    const late = orderUpdate(
      bid.clientOrderId,
      { side: 'BUY', priceTicks: bid.priceTicks ?? 0, qtySteps: bid.qtySteps },
      { execution: 'NEW', status: 'NEW', eventTimeMs: T0 + 7_100, txTimeMs: T0 + 7_100 },
    );
    expect(mm.onOrderUpdate(late, T0 + 7_100).map((e) => e.event)).toContain('order_update');
    expect(mm.view(T0 + 7_100).pendingBuySteps).toBeGreaterThanOrEqual(bid.qtySteps);
    mm.onBookTop(bookTop(650_000, 650_001, T0 + 7_100), T0 + 7_100);
    expect(cancels(mm.decide(T0 + 7_100).commands)).toContain(bid.clientOrderId);
  });

  it('does not revive an order that ended FILLED or CANCELED', () => {
    const mm = maker();
    const [bid] = places(mm.decide(T0).commands);
    if (!bid) throw new Error('no bid');
    mm.onPlaceOutcome(bid, { kind: 'accepted', value: snapshotOf(bid) }, T0 + 1);
    mm.onCancelOutcome({ symbol: 'BTCUSDT', clientOrderId: bid.clientOrderId }, { kind: 'accepted', value: snapshotOf(bid, 'CANCELED') }, T0 + 2);
    const stale = orderUpdate(
      bid.clientOrderId,
      { side: 'BUY', priceTicks: bid.priceTicks ?? 0, qtySteps: bid.qtySteps },
      { execution: 'NEW', status: 'NEW', eventTimeMs: T0 + 3, txTimeMs: T0 + 3 },
    );
    expect(mm.onOrderUpdate(stale, T0 + 3)).toEqual([]);
    expect(mm.order(bid.clientOrderId)?.state).toBe('final');
  });
});

describe('runner suppressions', () => {
  it('sends nothing at all while rate limited, not even cancels', () => {
    const mm = maker();
    const placed = places(mm.decide(T0).commands);
    for (const p of placed) mm.onPlaceOutcome(p, { kind: 'accepted', value: snapshotOf(p) }, T0 + 1);
    mm.setSuppressed('rate_limited');
    const d = mm.decide(T0 + 2);
    expect(d.suppressed).toBe('rate_limited');
    expect(d.commands).toEqual([]);
    mm.setSuppressed(null);
    expect(mm.decide(T0 + 3).suppressed).toBeNull();
  });

  it('cancels quotes while the event log is unwritable, lets risk-reducing orders through, and resumes', () => {
    const mm = maker();
    const placed = places(mm.decide(T0).commands);
    for (const p of placed) mm.onPlaceOutcome(p, { kind: 'accepted', value: snapshotOf(p) }, T0 + 1);
    mm.setEventLogHealthy(false);
    const d = mm.decide(T0 + 2);
    expect(d.suppressed).toBe('event_log_unwritable');
    expect(cancels(d.commands).sort()).toEqual(placed.map((p) => p.clientOrderId).sort());
    expect(places(d.commands)).toEqual([]);
    expect(d.events.map((e) => e.event)).toContain('quote_suppressed');
    mm.setEventLogHealthy(true);
    expect(mm.decide(T0 + 3).events.map((e) => e.event)).toContain('quote_resumed');
  });
});
