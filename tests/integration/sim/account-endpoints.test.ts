/**
 * The account endpoints tooling reads, over HTTP: income history (every wallet flow once, one
 * tranId each, summing to the wallet), account information v2 beside v3, leverage and its
 * configuration views, commission rates, brackets, and the position mode this venue keeps.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseScaled } from '../../../src/core/decimal.ts';
import { BinanceVenue } from '../../../src/exchange/binance-venue.ts';
import { startSimulator, type SimulatorHandle } from '../../../src/sim/simulator.ts';
import { manualClock, signed, signingOn, stepUntil, unsigned, type ManualClock } from './sim-client.ts';

const START = Date.UTC(2026, 10, 20, 7, 59, 30);
const FUNDING_INTERVAL_MS = 60_000;

interface Income {
  symbol: string;
  incomeType: string;
  income: string;
  asset: string;
  time: number;
  tranId: number;
  tradeId: string;
}

let sim: SimulatorHandle;
let clock: ManualClock;
const money = (text: string) => parseScaled(text, 8);
const call = async (method: string, path: string, params: Record<string, string> = {}) => (await signed(sim, method, path, params)).body;

beforeAll(async () => {
  clock = manualClock(START);
  sim = await startSimulator({
    symbols: ['BTCUSDT', 'ETHUSDT'],
    autoStep: false,
    clock,
    fundingIntervalMs: FUNDING_INTERVAL_MS,
    seed: 23,
    makerFeeRate: '0.0001',
    takerFeeRate: '0.0004',
    startingPositions: { BTCUSDT: '0.010' },
  });
  // Trades that open, add to and partly close positions, around two funding settlements.
  await call('POST', '/fapi/v1/order', { symbol: 'ETHUSDT', side: 'BUY', type: 'MARKET', quantity: '0.100' });
  await stepUntil(sim, clock, 'the first funding', () => sim.state().fundingPayments.length >= 2);
  await call('POST', '/fapi/v1/order', { symbol: 'BTCUSDT', side: 'SELL', type: 'MARKET', quantity: '0.004' });
  await call('POST', '/fapi/v1/order', { symbol: 'ETHUSDT', side: 'SELL', type: 'MARKET', quantity: '0.050' });
  await stepUntil(sim, clock, 'the second funding', () => sim.state().fundingPayments.length >= 4);
});
afterAll(async () => {
  await sim.close();
});

describe('GET /fapi/v1/income', () => {
  it('lists every wallet flow once, each with its own tranId, summing to the wallet balance', async () => {
    const income = (await call('GET', '/fapi/v1/income', { limit: '1000' })) as Income[];
    const types = new Set(income.map((i) => i.incomeType));
    expect([...types].sort()).toEqual(['COMMISSION', 'FUNDING_FEE', 'REALIZED_PNL', 'TRANSFER']);
    expect(new Set(income.map((i) => i.tranId)).size).toBe(income.length);
    expect(income.every((i, n) => n === 0 || i.time >= income[n - 1]!.time)).toBe(true);
    const total = income.reduce((sum, i) => sum + money(i.income), 0n);
    const account = await call('GET', '/fapi/v2/account');
    expect(total).toBe(money(account.totalWalletBalance));
    expect(total).toBe(money(sim.state().walletBalance));
    expect(income[0]).toMatchObject({ incomeType: 'TRANSFER', symbol: '', tradeId: '', income: sim.state().startingBalance });
  });

  it('has one FUNDING_FEE per funding payment and one COMMISSION per fill, with the same amounts', async () => {
    const funding = (await call('GET', '/fapi/v1/income', { incomeType: 'FUNDING_FEE' })) as Income[];
    const payments = sim.state().fundingPayments.filter((p) => money(p.amount) !== 0n);
    expect(funding.map((f) => [f.symbol, f.time, money(f.income)])).toEqual(payments.map((p) => [p.symbol, p.time, money(p.amount)]));
    // A second read gives the same tranIds: what a client de-duplicates by.
    const again = (await call('GET', '/fapi/v1/income', { incomeType: 'FUNDING_FEE' })) as Income[];
    expect(again.map((f) => f.tranId)).toEqual(funding.map((f) => f.tranId));
    const commissions = (await call('GET', '/fapi/v1/income', { incomeType: 'COMMISSION' })) as Income[];
    const fills = sim.state().trades;
    expect(commissions.map((c) => [c.tradeId, money(c.income)])).toEqual(fills.map((f) => [String(f.id), -money(f.commission)]));
  });

  it('filters by symbol and time, pages by limit, and refuses an unknown income type (-1130)', async () => {
    const all = (await call('GET', '/fapi/v1/income', { limit: '1000' })) as Income[];
    const eth = (await call('GET', '/fapi/v1/income', { symbol: 'ETHUSDT', limit: '1000' })) as Income[];
    expect(eth).toEqual(all.filter((i) => i.symbol === 'ETHUSDT'));
    const page2 = (await call('GET', '/fapi/v1/income', { limit: '2', page: '2' })) as Income[];
    expect(page2).toEqual(all.slice(2, 4));
    const later = (await call('GET', '/fapi/v1/income', { startTime: String(START + 31_000), limit: '1000' })) as Income[];
    expect(later).toEqual(all.filter((i) => i.time >= START + 31_000));
    expect((await call('GET', '/fapi/v1/income', { incomeType: 'BONUS' })).code).toBe(-1130);
  });
});

describe('account information and configuration', () => {
  it('GET /fapi/v2/account agrees with v3 and lists every symbol', async () => {
    const v2 = await call('GET', '/fapi/v2/account');
    const v3 = await call('GET', '/fapi/v3/account');
    for (const field of ['totalWalletBalance', 'totalUnrealizedProfit', 'totalMarginBalance', 'availableBalance']) expect(v2[field]).toBe(v3[field]);
    expect(v2.positions.map((p: { symbol: string }) => p.symbol)).toEqual(['BTCUSDT', 'ETHUSDT']);
    const btc = v2.positions.find((p: { symbol: string }) => p.symbol === 'BTCUSDT');
    expect(btc).toMatchObject({ positionAmt: sim.state().positions.find((p) => p.symbol === 'BTCUSDT')!.positionAmt, positionSide: 'BOTH', isolated: false });
    expect(v2.assets[0]).toMatchObject({ asset: 'USDT', walletBalance: v2.totalWalletBalance });
  });

  it('shows a leverage change in symbolConfig, account v2 and positionRisk; -4028 beyond 125', async () => {
    const changed = await call('POST', '/fapi/v1/leverage', { symbol: 'ETHUSDT', leverage: '7' });
    expect(changed).toMatchObject({ symbol: 'ETHUSDT', leverage: 7 });
    expect(await call('GET', '/fapi/v1/symbolConfig', { symbol: 'ETHUSDT' })).toEqual([
      { symbol: 'ETHUSDT', marginType: 'CROSSED', isAutoAddMargin: false, leverage: 7, maxNotionalValue: expect.any(String) },
    ]);
    expect((await call('GET', '/fapi/v1/symbolConfig')).map((c: { symbol: string; leverage: number }) => [c.symbol, c.leverage])).toEqual([
      ['BTCUSDT', 20],
      ['ETHUSDT', 7],
    ]);
    const v2 = await call('GET', '/fapi/v2/account');
    expect(v2.positions.find((p: { symbol: string }) => p.symbol === 'ETHUSDT').leverage).toBe('7');
    expect((await call('GET', '/fapi/v2/positionRisk', { symbol: 'ETHUSDT' }))[0].leverage).toBe('7');
    expect((await call('POST', '/fapi/v1/leverage', { symbol: 'ETHUSDT', leverage: '126' })).code).toBe(-4028);
  });

  it('answers commission rates as configured, which is what fills are charged', async () => {
    expect(await call('GET', '/fapi/v1/commissionRate', { symbol: 'BTCUSDT' })).toEqual({
      symbol: 'BTCUSDT',
      makerCommissionRate: '0.0001',
      takerCommissionRate: '0.0004',
      rpiCommissionRate: '0.0001',
    });
    const taker = sim.state().trades.find((t) => !t.maker)!;
    expect(money(taker.commission) * 10_000n).toBe(money(taker.quoteQty) * 4n);
    expect((await call('GET', '/fapi/v1/commissionRate')).code).toBe(-1102);
  });

  it('lists leverage brackets: one object for a symbol, a list without one', async () => {
    const one = await call('GET', '/fapi/v1/leverageBracket', { symbol: 'BTCUSDT' });
    expect(one).toMatchObject({ symbol: 'BTCUSDT', brackets: [{ bracket: 1, initialLeverage: 125, notionalFloor: 0 }] });
    expect((await call('GET', '/fapi/v1/leverageBracket')).map((b: { symbol: string }) => b.symbol)).toEqual(['BTCUSDT', 'ETHUSDT']);
  });

  it('stays in one-way mode: positionSide/dual answers false, and a change is refused with the code that applies', async () => {
    expect(await call('GET', '/fapi/v1/positionSide/dual')).toEqual({ dualSidePosition: false });
    expect(await call('GET', '/fapi/v1/accountConfig')).toMatchObject({ dualSidePosition: false, canTrade: true, multiAssetsMargin: false });
    const change = (value: string) => call('POST', '/fapi/v1/positionSide/dual', { dualSidePosition: value });
    expect((await change('false')).code).toBe(-4059);
    expect((await change('true')).code).toBe(-4068);
    const top = (await unsigned(sim, 'GET', '/fapi/v1/ticker/bookTicker?symbol=BTCUSDT')).body;
    const resting = await call('POST', '/fapi/v1/order', {
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '0.002',
      price: top.bidPrice,
    });
    expect(resting.status).toBe('NEW');
    expect((await change('true')).code).toBe(-4067);
    await call('DELETE', '/fapi/v1/allOpenOrders', { symbol: 'BTCUSDT' });
    for (const p of sim.state().positions.filter((q) => money(q.positionAmt) !== 0n)) {
      const amount = p.positionAmt.replace('-', '');
      await call('POST', '/fapi/v1/order', {
        symbol: p.symbol,
        side: p.positionAmt.startsWith('-') ? 'BUY' : 'SELL',
        type: 'MARKET',
        quantity: amount,
        reduceOnly: 'true',
      });
    }
    expect((await change('true')).code).toBe(-1020);
    expect((await change('maybe')).code).toBe(-1130);
  });
});

describe('BinanceVenue.fundingPayments against the simulator', () => {
  it("returns the symbol's funding payments as the simulator paid them, each once, oldest first, from the time asked", async () => {
    const venue = new BinanceVenue({ restUrl: sim.restUrl, wsUrl: sim.wsUrl, apiKey: sim.apiKey, apiSecret: sim.apiSecret, clock: signingOn(clock) });
    await venue.loadInstruments(['BTCUSDT']);
    const paid = sim.state().fundingPayments.filter((p) => p.symbol === 'BTCUSDT' && money(p.amount) !== 0n);
    expect(paid.length).toBeGreaterThanOrEqual(2);
    const all = await venue.fundingPayments('BTCUSDT', START);
    expect(all.map((p) => [p.symbol, p.timeMs, p.amount, p.asset])).toEqual(paid.map((p) => ['BTCUSDT', p.time, money(p.amount), 'USDT']));
    expect(new Set(all.map((p) => p.incomeId)).size).toBe(all.length);
    const later = await venue.fundingPayments('BTCUSDT', (paid[0]?.time ?? 0) + 1);
    expect(later.map((p) => p.incomeId)).toEqual(all.slice(1).map((p) => p.incomeId));
  });
});
