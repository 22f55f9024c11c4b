import { describe, expect, it } from 'vitest';
import { KlineBook } from '../../../src/sim/kline-book.ts';
import { shiftSlot, slotAtOrAfter, slotStart } from '../../../src/sim/kline-intervals.ts';
import { TradeTape, type PublicTrade } from '../../../src/sim/trade-tape.ts';
import { asSteps, asTicks } from '../../../src/core/instrument.ts';

const T0 = Date.UTC(2026, 10, 20, 7, 59, 10); // a Friday
const MINUTE = 60_000;

function trade(id: number, timeMs: number, priceTicks: number, qtySteps: number, buyerIsMaker = false): PublicTrade {
  return { id, priceTicks: asTicks(priceTicks), qtySteps: asSteps(qtySteps), quote: BigInt(priceTicks * qtySteps), timeMs, buyerIsMaker };
}

describe('kline intervals', () => {
  it('cuts minutes and hours from the epoch, weeks from Monday and months from the 1st', () => {
    expect(slotStart('1m', T0)).toBe(Date.UTC(2026, 10, 20, 7, 59));
    expect(slotStart('4h', T0)).toBe(Date.UTC(2026, 10, 20, 4));
    expect(slotStart('1w', T0)).toBe(Date.UTC(2026, 10, 16));
    expect(new Date(slotStart('1w', T0)).getUTCDay()).toBe(1);
    expect(slotStart('1M', T0)).toBe(Date.UTC(2026, 10, 1));
    expect(shiftSlot('1M', Date.UTC(2026, 10, 1), 2)).toBe(Date.UTC(2027, 0, 1));
    expect(slotAtOrAfter('1m', Date.UTC(2026, 10, 20, 8))).toBe(Date.UTC(2026, 10, 20, 8));
    expect(slotAtOrAfter('1m', T0)).toBe(Date.UTC(2026, 10, 20, 8));
  });
});

describe('KlineBook', () => {
  it('builds OHLCV bars, fills silent slots at the previous close and stops at the bar in progress', () => {
    const book = new KlineBook();
    book.add(trade(1, T0, 100, 2));
    book.add(trade(2, T0 + 20_000, 104, 1, true));
    book.add(trade(3, T0 + 3 * MINUTE, 98, 5));
    const bars = book.bars('1m', { startTime: null, endTime: null, limit: 10 }, T0 + 3 * MINUTE + 1);
    expect(bars.map((b) => [b.open, b.high, b.low, b.close, b.volume, b.trades, b.firstId, b.lastId])).toEqual([
      [100, 104, 100, 104, 3, 2, 1, 2],
      [104, 104, 104, 104, 0, 0, -1, -1],
      [104, 104, 104, 104, 0, 0, -1, -1],
      [98, 98, 98, 98, 5, 1, 3, 3],
    ]);
    expect(bars[0]).toMatchObject({ openTime: slotStart('1m', T0), closeTime: slotStart('1m', T0) + MINUTE - 1, takerBuyVolume: 2 });
    expect(book.bars('1h', { startTime: null, endTime: null, limit: 10 }, T0 + 3 * MINUTE)).toHaveLength(2);
    expect(book.bars('1m', { startTime: null, endTime: null, limit: 2 }, T0 + 3 * MINUTE).map((b) => b.close)).toEqual([104, 98]);
    expect(book.bars('1m', { startTime: T0, endTime: null, limit: 2 }, T0 + 3 * MINUTE).map((b) => b.openTime)).toEqual([
      slotAtOrAfter('1m', T0),
      slotAtOrAfter('1m', T0) + MINUTE,
    ]);
  });

  it('has no bars and no statistics before its first trade', () => {
    const book = new KlineBook();
    expect(book.bars('1m', { startTime: null, endTime: null, limit: 5 }, T0)).toEqual([]);
    expect(book.dayStats(T0)).toBeNull();
  });

  it('computes the rolling 24 hours from the trades inside them', () => {
    const book = new KlineBook();
    book.add(trade(1, T0, 100, 1));
    book.add(trade(2, T0 + 2 * 60 * MINUTE, 120, 2));
    book.add(trade(3, T0 + 25 * 60 * MINUTE, 110, 3));
    const stats = book.dayStats(T0 + 25 * 60 * MINUTE);
    expect(stats).toMatchObject({ open: 120, high: 120, low: 110, last: 110, lastQty: 3, volume: 5, trades: 2, firstId: 2, lastId: 3 });
    expect(book.dayStats(T0 + 27 * 60 * MINUTE)).toMatchObject({ open: 110, high: 110, low: 110, volume: 3, trades: 1, firstId: 3 });
  });
});

describe('TradeTape', () => {
  it('aggregates the trades of one step at one price and one taker side', () => {
    const tape = new TradeTape(500);
    const aggs = tape.record([trade(10, T0, 100, 1), trade(11, T0, 100, 2), trade(12, T0, 101, 1), trade(13, T0, 101, 1, true)]);
    expect(aggs.map((a) => [a.aggId, a.priceTicks, a.qtySteps, a.firstId, a.lastId, a.buyerIsMaker])).toEqual([
      [500, 100, 3, 10, 11, false],
      [501, 101, 1, 12, 12, false],
      [502, 101, 1, 13, 13, true],
    ]);
    tape.record([trade(14, T0 + 100, 101, 4)]);
    expect(tape.aggTrades({ fromId: 502, startTime: null, endTime: null, limit: 10 }).map((a) => a.aggId)).toEqual([502, 503]);
    expect(tape.aggTrades({ fromId: null, startTime: T0 + 50, endTime: null, limit: 10 }).map((a) => a.aggId)).toEqual([503]);
    expect(tape.aggTrades({ fromId: null, startTime: null, endTime: null, limit: 2 }).map((a) => a.aggId)).toEqual([502, 503]);
    expect(tape.recent(2).map((t) => t.id)).toEqual([13, 14]);
  });
});
