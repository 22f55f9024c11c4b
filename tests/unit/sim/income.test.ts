import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MatchingEngine } from '../../../src/sim/matching-engine.ts';
import { BTC, bookAt } from './engine-fixtures.ts';
import { asSteps } from '../../../src/core/instrument.ts';

const T0 = 1_700_000_000_000;
const BID = 650_000;

function engineOpenedAt(openedAtMs: number): MatchingEngine {
  const engine = new MatchingEngine({
    symbols: [BTC],
    makerFeeRate: '0.0002',
    takerFeeRate: '0.0005',
    startingBalance: 100_000n * 100_000_000n,
    marginAsset: 'USDT',
    defaultLeverage: 20,
    openedAtMs,
  });
  engine.applyMarket('BTCUSDT', bookAt(BID, 20, 100_000), [], 2 * BID + 1, openedAtMs);
  return engine;
}

describe('income history (GET /fapi/v1/income)', () => {
  it('records the starting transfer, a commission and a realized PnL per fill, and a funding fee per payment', () => {
    const engine = engineOpenedAt(T0);
    engine.placeOrder({ symbol: 'BTCUSDT', side: 'BUY', type: 'MARKET', qtySteps: asSteps(10), reduceOnly: false }, T0 + 1);
    engine.settleFunding('BTCUSDT', 10_000, T0 + 2);
    engine.applyMarket('BTCUSDT', bookAt(BID + 100, 20, 100_000), [], 2 * (BID + 100) + 1, T0 + 3);
    engine.placeOrder({ symbol: 'BTCUSDT', side: 'SELL', type: 'MARKET', qtySteps: asSteps(10), reduceOnly: true }, T0 + 4);
    const records = engine.incomeRecords();
    expect(records.map((r) => [r.type, r.symbol, r.timeMs])).toEqual([
      ['TRANSFER', '', T0],
      ['COMMISSION', 'BTCUSDT', T0 + 1],
      ['FUNDING_FEE', 'BTCUSDT', T0 + 2],
      ['REALIZED_PNL', 'BTCUSDT', T0 + 4],
      ['COMMISSION', 'BTCUSDT', T0 + 4],
    ]);
    const fills = engine.allFills();
    expect(records[1]).toMatchObject({ amount: -fills[0]!.commission, tradeId: fills[0]!.tradeId });
    expect(records[2]).toMatchObject({ amount: engine.allFundingPayments()[0]!.amount, tradeId: null });
    expect(records[3]).toMatchObject({ amount: fills[1]!.realizedPnl, tradeId: fills[1]!.tradeId });
    expect(new Set(records.map((r) => r.tranId)).size).toBe(records.length);
  });

  it('sums to the wallet balance whatever the trading', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({
            buy: fc.boolean(),
            qty: fc.integer({ min: 2, max: 30 }),
            move: fc.integer({ min: -50, max: 50 }),
            fund: fc.integer({ min: -30_000, max: 30_000 }),
          }),
          {
            maxLength: 25,
          },
        ),
        (steps) => {
          const engine = engineOpenedAt(T0);
          let bid = BID;
          steps.forEach((step, i) => {
            const t = T0 + i + 1;
            bid += step.move;
            engine.applyMarket('BTCUSDT', bookAt(bid, 20, 100_000), [], 2 * bid + 1, t);
            engine.placeOrder({ symbol: 'BTCUSDT', side: step.buy ? 'BUY' : 'SELL', type: 'MARKET', qtySteps: asSteps(step.qty), reduceOnly: false }, t);
            engine.settleFunding('BTCUSDT', step.fund, t);
          });
          const sum = engine.incomeRecords().reduce((total, r) => total + r.amount, 0n);
          expect(sum).toBe(engine.walletBalance());
        },
      ),
      { numRuns: 60 },
    );
  });
});
