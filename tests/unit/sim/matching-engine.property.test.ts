import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { OrderView } from '../../../src/sim/engine-types.ts';
import type { MatchingEngine } from '../../../src/sim/matching-engine.ts';
import { bookAt, newEngine } from './engine-fixtures.ts';
import { asSteps, asTicks } from '../../../src/core/instrument.ts';

const T0 = 1_700_000_000_000;
const START_BID = 650_000;

type Op =
  | {
      readonly kind: 'place';
      readonly side: 'BUY' | 'SELL';
      readonly type: 'LIMIT' | 'MARKET';
      readonly tif: 'GTC' | 'IOC' | 'FOK' | 'GTX';
      readonly offset: number;
      readonly qty: number;
      readonly reduceOnly: boolean;
    }
  | { readonly kind: 'cancel'; readonly pick: number }
  | {
      readonly kind: 'market';
      readonly move: number;
      readonly size: number;
      readonly trades: ReadonlyArray<{ readonly buy: boolean; readonly depth: number; readonly qty: number }>;
    }
  | { readonly kind: 'funding'; readonly rate: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    arbitrary: fc.record({
      kind: fc.constant('place' as const),
      side: fc.constantFrom('BUY' as const, 'SELL' as const),
      type: fc.constantFrom('LIMIT' as const, 'LIMIT' as const, 'LIMIT' as const, 'MARKET' as const),
      tif: fc.constantFrom('GTC' as const, 'IOC' as const, 'FOK' as const, 'GTX' as const),
      offset: fc.integer({ min: -6, max: 6 }),
      qty: fc.integer({ min: 2, max: 20 }),
      reduceOnly: fc.boolean(),
    }),
    weight: 5,
  },
  { arbitrary: fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }), weight: 1 },
  {
    arbitrary: fc.record({
      kind: fc.constant('market' as const),
      move: fc.integer({ min: -4, max: 4 }),
      size: fc.integer({ min: 1, max: 6 }),
      trades: fc.array(fc.record({ buy: fc.boolean(), depth: fc.integer({ min: 0, max: 6 }), qty: fc.integer({ min: 1, max: 30 }) }), { maxLength: 4 }),
    }),
    weight: 4,
  },
  { arbitrary: fc.record({ kind: fc.constant('funding' as const), rate: fc.integer({ min: -50_000, max: 50_000 }) }), weight: 1 },
);

/** Long sequences: fast-check's default size would keep arrays to about ten operations. */
const opsArb = fc.array(opArb, { minLength: 20, maxLength: 120, size: 'max' });

interface Run {
  readonly engine: MatchingEngine;
  readonly orders: Map<number, OrderView>;
  readonly gtxIds: Set<number>;
}

function run(ops: readonly Op[], check: (r: Run) => void): Run {
  const engine = newEngine();
  const orders = new Map<number, OrderView>();
  const gtxIds = new Set<number>();
  let bid = START_BID;
  let now = T0;
  const remember = (events: ReturnType<MatchingEngine['applyMarket']>): void => {
    for (const e of events) if (e.kind === 'order') orders.set(e.order.orderId, e.order);
  };
  remember(engine.applyMarket('BTCUSDT', bookAt(bid, 3, 3), [], 2 * bid + 1, now));
  const r: Run = { engine, orders, gtxIds };
  for (const op of ops) {
    now += 10;
    switch (op.kind) {
      case 'place': {
        const price = op.side === 'BUY' ? bid + op.offset : bid + 1 + op.offset;
        const result = engine.placeOrder(
          op.type === 'LIMIT'
            ? {
                symbol: 'BTCUSDT',
                side: op.side,
                type: 'LIMIT',
                timeInForce: op.tif,
                priceTicks: asTicks(price),
                qtySteps: asSteps(op.qty),
                reduceOnly: op.reduceOnly,
              }
            : { symbol: 'BTCUSDT', side: op.side, type: 'MARKET', qtySteps: asSteps(op.qty), reduceOnly: op.reduceOnly },
          now,
        );
        if (result.ok) {
          if (op.type === 'LIMIT' && op.tif === 'GTX') gtxIds.add(result.order.orderId);
          remember(result.events);
        }
        break;
      }
      case 'cancel': {
        const open = engine.openOrders('BTCUSDT');
        const target = open[op.pick % Math.max(1, open.length)];
        if (target) {
          const result = engine.cancelOrder('BTCUSDT', { orderId: target.orderId }, now);
          if (result.ok) remember(result.events);
        }
        break;
      }
      case 'market': {
        bid += op.move;
        const trades = op.trades.map((t) => ({
          aggressor: t.buy ? ('BUY' as const) : ('SELL' as const),
          priceTicks: asTicks(t.buy ? bid + 1 + t.depth : bid - t.depth),
          qtySteps: asSteps(t.qty),
        }));
        remember(engine.applyMarket('BTCUSDT', bookAt(bid, 3, op.size), trades, 2 * bid + 1, now));
        break;
      }
      case 'funding':
        engine.settleFunding('BTCUSDT', op.rate, now);
        break;
    }
    check(r);
  }
  return r;
}

function notCrossed({ engine }: Run): void {
  const open = engine.openOrders('BTCUSDT');
  const bids = open.filter((o) => o.side === 'BUY').map((o) => o.priceTicks);
  const asks = open.filter((o) => o.side === 'SELL').map((o) => o.priceTicks);
  if (bids.length > 0 && asks.length > 0) expect(Math.max(...bids)).toBeLessThan(Math.min(...asks));
}

describe('MatchingEngine properties', () => {
  it('never leaves our resting book crossed', () => {
    fc.assert(
      fc.property(opsArb, (ops) => void run(ops, notCrossed)),
      { numRuns: 200 },
    );
  });

  it('never lets a post-only order take liquidity', () => {
    fc.assert(
      fc.property(opsArb, (ops) => {
        const { engine, gtxIds } = run(ops, () => {});
        for (const fill of engine.allFills()) if (gtxIds.has(fill.orderId)) expect(fill.maker).toBe(true);
      }),
      { numRuns: 200 },
    );
  });

  it('conserves quantity: every order is filled + remaining = original, fills sum to the position', () => {
    fc.assert(
      fc.property(opsArb, (ops) => {
        const { engine, orders } = run(ops, () => {});
        const filledByOrder = new Map<number, number>();
        let position = 0;
        for (const fill of engine.allFills()) {
          filledByOrder.set(fill.orderId, (filledByOrder.get(fill.orderId) ?? 0) + fill.qtySteps);
          position += fill.side === 'BUY' ? fill.qtySteps : -fill.qtySteps;
        }
        for (const order of orders.values()) {
          const current = order.status === 'NEW' || order.status === 'PARTIALLY_FILLED' ? engine.queryOrder('BTCUSDT', { orderId: order.orderId }) : order;
          expect(current.executedSteps).toBe(filledByOrder.get(order.orderId) ?? 0);
          expect(current.executedSteps).toBeLessThanOrEqual(current.qtySteps);
          const remaining = current.qtySteps - current.executedSteps;
          expect(current.executedSteps + remaining).toBe(current.qtySteps);
          if (current.status === 'FILLED') expect(remaining).toBe(0);
        }
        expect(engine.position('BTCUSDT').amountSteps).toBe(position);
      }),
      { numRuns: 200 },
    );
  });

  it('reconciles fees, realized PnL, funding and the wallet with the fills', () => {
    fc.assert(
      fc.property(opsArb, (ops) => {
        const { engine } = run(ops, () => {});
        const fills = engine.allFills();
        const fees = fills.reduce((sum, f) => sum + f.commission, 0n);
        const realized = fills.reduce((sum, f) => sum + f.realizedPnl, 0n);
        const funding = engine.allFundingPayments().reduce((sum, p) => sum + p.amount, 0n);
        for (const f of fills) {
          const rate = f.maker ? 20_000n : 50_000n;
          const exact = f.quote * rate;
          expect(f.commission * 100_000_000n - exact <= 50_000_000n && exact - f.commission * 100_000_000n < 50_000_000n).toBe(true);
        }
        const totals = engine.totals();
        expect(totals.fees).toBe(fees);
        expect(totals.realizedPnl).toBe(realized);
        expect(totals.funding).toBe(funding);
        expect(engine.walletBalance()).toBe(totals.startingBalance + realized - fees + funding);
        // Cash view: realized PnL is what was sold minus what was bought, less the cost still open.
        const cash = fills.reduce((sum, f) => sum + (f.side === 'SELL' ? f.quote : -f.quote), 0n);
        const pos = engine.position('BTCUSDT');
        expect(realized).toBe(cash + (pos.amountSteps > 0 ? pos.cost : -pos.cost));
      }),
      { numRuns: 200 },
    );
  });

  it('never lets a reduce-only fill flip or increase the position', () => {
    fc.assert(
      fc.property(opsArb, (ops) => {
        const { engine, orders } = run(ops, () => {});
        let position = 0;
        for (const fill of engine.allFills()) {
          const signed = fill.side === 'BUY' ? fill.qtySteps : -fill.qtySteps;
          const after = position + signed;
          if (orders.get(fill.orderId)?.reduceOnly) {
            expect(Math.sign(position)).toBe(-Math.sign(signed));
            expect(Math.abs(after)).toBeLessThan(Math.abs(position));
            expect(after === 0 || Math.sign(after) === Math.sign(position)).toBe(true);
          }
          position = after;
        }
      }),
      { numRuns: 200 },
    );
  });
});

describe('MatchingEngine property generator', () => {
  it('exercises fills, reduce-only fills, post-only rests and funding (the properties are not vacuous)', () => {
    let fills = 0;
    let reduceOnlyFills = 0;
    let gtxFills = 0;
    let fundings = 0;
    for (const ops of fc.sample(fc.array(opArb, { minLength: 60, maxLength: 80, size: 'max' }), { numRuns: 60, seed: 7 })) {
      const { engine, orders, gtxIds } = run(ops, () => {});
      fills += engine.allFills().length;
      reduceOnlyFills += engine.allFills().filter((f) => orders.get(f.orderId)?.reduceOnly).length;
      gtxFills += engine.allFills().filter((f) => gtxIds.has(f.orderId)).length;
      fundings += engine.allFundingPayments().length;
    }
    expect(fills).toBeGreaterThan(100);
    expect(reduceOnlyFills).toBeGreaterThan(5);
    expect(gtxFills).toBeGreaterThan(5);
    expect(fundings).toBeGreaterThan(5);
  });
});
