import { describe, expect, it } from 'vitest';
import type { DepthDiff, DepthSnapshot } from '../../../src/core/model.ts';
import { LocalBook } from '../../../src/exchange/local-book.ts';

function diff(U: number, u: number, pu: number, bids: Array<[number, number]> = [], asks: Array<[number, number]> = []): DepthDiff {
  return { symbol: 'BTCUSDT', firstUpdateId: U, finalUpdateId: u, prevFinalUpdateId: pu, bids, asks, txTimeMs: 0, eventTimeMs: 0 };
}

function setup(snapshots: DepthSnapshot[]) {
  const resyncs: string[] = [];
  const pending: Array<(s: DepthSnapshot) => void> = [];
  let fetches = 0;
  const book = new LocalBook({
    symbol: 'BTCUSDT',
    fetchSnapshot: () => {
      fetches++;
      const next = snapshots.shift();
      return next === undefined ? new Promise((resolve) => pending.push(resolve)) : Promise.resolve(next);
    },
    onResync: (_symbol, reason) => resyncs.push(reason),
  });
  return { book, resyncs, fetches: () => fetches, pending };
}

const flush = () => new Promise((resolve) => setImmediate(resolve));

describe('LocalBook (Binance diff-depth procedure)', () => {
  it('buffers, drops events older than the snapshot, bridges with U <= lastUpdateId <= u', async () => {
    const { book } = setup([
      {
        symbol: 'BTCUSDT',
        lastUpdateId: 100,
        bids: [
          [10, 1],
          [9, 2],
        ],
        asks: [[11, 1]],
      },
    ]);
    book.apply(diff(90, 95, 89, [[10, 7]]));
    book.apply(diff(96, 102, 95, [[9, 0]], [[12, 3]]));
    book.apply(diff(103, 105, 102, [[10, 4]]));
    await flush();
    expect(book.status()).toBe('synced');
    expect(book.lastUpdateId()).toBe(105);
    expect(book.bestBid()).toEqual({ priceTicks: 10, qtySteps: 4 });
    expect(book.bestAsk()).toEqual({ priceTicks: 11, qtySteps: 1 });
    expect(book.depth(5).asks).toEqual([
      { priceTicks: 11, qtySteps: 1 },
      { priceTicks: 12, qtySteps: 3 },
    ]);
    expect(book.depth(5).bids).toEqual([{ priceTicks: 10, qtySteps: 4 }]);
  });

  it('resyncs when pu does not equal the previous u', async () => {
    const { book, resyncs, fetches } = setup([
      { symbol: 'BTCUSDT', lastUpdateId: 100, bids: [[10, 1]], asks: [[11, 1]] },
      { symbol: 'BTCUSDT', lastUpdateId: 120, bids: [[20, 1]], asks: [[21, 1]] },
    ]);
    book.apply(diff(99, 101, 98));
    await flush();
    expect(book.status()).toBe('synced');
    book.apply(diff(110, 115, 108));
    expect(book.status()).toBe('buffering');
    expect(resyncs.some((r) => r.startsWith('gap'))).toBe(true);
    book.apply(diff(116, 121, 115));
    await flush();
    expect(fetches()).toBe(2);
    expect(book.status()).toBe('synced');
    expect(book.bestBid()?.priceTicks).toBe(20);
    expect(book.lastUpdateId()).toBe(121);
  });

  it('after a snapshot with nothing buffered past it, needs a bridging event', async () => {
    const { book, resyncs } = setup([{ symbol: 'BTCUSDT', lastUpdateId: 100, bids: [[10, 1]], asks: [[11, 1]] }]);
    book.apply(diff(80, 90, 79));
    await flush();
    expect(book.status()).toBe('synced');
    book.apply(diff(91, 95, 90));
    expect(book.lastUpdateId()).toBe(100);
    book.apply(diff(96, 104, 95, [[10, 9]]));
    expect(book.bestBid()).toEqual({ priceTicks: 10, qtySteps: 9 });
    book.apply(diff(105, 106, 104));
    expect(book.lastUpdateId()).toBe(106);
    expect(resyncs.filter((r) => r.startsWith('gap'))).toEqual([]);
  });

  it('hides the book while not synced', () => {
    const { book } = setup([]);
    book.apply(diff(1, 2, 0, [[10, 1]]));
    expect(book.bestBid()).toBeNull();
    expect(book.depth(3)).toEqual({ bids: [], asks: [] });
  });
});
