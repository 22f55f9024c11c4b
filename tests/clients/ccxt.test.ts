/**
 * ccxt's binanceusdm (REST) and ccxt.pro's binanceusdm (WebSocket) through a typical session
 * against the simulator, set up only with the options README documents: markets, tickers, the
 * order book, balance, positions, leverage, margin mode, orders of every kind the simulator
 * takes, batch orders, modify, queries, cancels, trades, funding, income, the user stream, and
 * market streams with ccxt's own local book. What ccxt reports is checked against the
 * simulator's own state or REST answers at the same moment (the market paused).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import ccxt from 'ccxt';
import { startSimulator, type SimulatorHandle } from '../../src/sim/index.ts';
import { waitFor } from '../support/runner-process.ts';
import { ccxtClient, Stepper, type CcxtUsdm } from './client-setup.ts';

const S = 'BTC/USDT:USDT';
let sim: SimulatorHandle;
let stepper: Stepper;
let ex: CcxtUsdm;

/** Reads a public REST answer of the simulator directly. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- wire JSON under test
const rest = async (pathAndQuery: string): Promise<any> => (await fetch(`${sim.restUrl}${pathAndQuery}`)).json();
const num = (text: string) => Number(text);
const openOrderIds = () => sim.state().openOrders.map((o) => String(o.orderId));
const btcPosition = () => sim.state().positions.find((p) => p.symbol === 'BTCUSDT')!.positionAmt;

beforeAll(async () => {
  sim = await startSimulator({ autoStep: false, fundingIntervalMs: 2_000, seed: 101 });
  stepper = new Stepper(sim);
  stepper.resume();
  ex = await ccxtClient(sim);
});
afterAll(async () => {
  stepper.pause();
  await ex.close();
  await sim.close();
});

describe('ccxt binanceusdm REST session', () => {
  it('loads every listed market with its tick and step, and reads tickers, the book, candles and trades', async () => {
    const markets = await ex.loadMarkets();
    expect(Object.keys(markets).sort()).toEqual(['BNB/USDT:USDT', 'BTC/USDT:USDT', 'ETH/USDT:USDT', 'SOL/USDT:USDT']);
    expect(ex.market(S)).toMatchObject({ id: 'BTCUSDT', linear: true, settle: 'USDT', precision: { price: 0.1, amount: 0.001 } });
    await waitFor('some trades', async () => (await rest('/fapi/v1/trades?symbol=BTCUSDT')).length > 5, 20_000, 50);
    stepper.pause();
    const [ticker, raw24h] = await Promise.all([ex.fetchTicker(S), rest('/fapi/v1/ticker/24hr?symbol=BTCUSDT')]);
    expect(ticker).toMatchObject({
      symbol: S,
      last: num(raw24h.lastPrice),
      high: num(raw24h.highPrice),
      low: num(raw24h.lowPrice),
      baseVolume: num(raw24h.volume),
    });
    expect(Object.keys(await ex.fetchTickers()).sort()).toEqual(Object.keys(markets).sort());
    const [book, rawBook] = await Promise.all([ex.fetchOrderBook(S, 5), rest('/fapi/v1/depth?symbol=BTCUSDT&limit=5')]);
    expect(book.nonce).toBe(rawBook.lastUpdateId);
    expect(book.bids).toEqual(rawBook.bids.map(([p, q]: string[]) => [num(p!), num(q!)]));
    expect(book.asks).toEqual(rawBook.asks.map(([p, q]: string[]) => [num(p!), num(q!)]));
    const candles = await ex.fetchOHLCV(S, '1m');
    expect(candles.at(-1)![4]).toBe(ticker.last);
    const trades = await ex.fetchTrades(S);
    expect(trades.at(-1)!.price).toBe(ticker.last);
    const mark = await ex.fetchFundingRate(S);
    const premium = await rest('/fapi/v1/premiumIndex?symbol=BTCUSDT');
    expect(mark).toMatchObject({ markPrice: num(premium.markPrice), fundingRate: num(premium.lastFundingRate), fundingTimestamp: premium.nextFundingTime });
    stepper.resume();
  });

  it('reads balance, fees and position mode; sets leverage and margin mode', async () => {
    const balance = await ex.fetchBalance();
    expect(balance['USDT']).toMatchObject({ total: num(sim.state().walletBalance) });
    expect(await ex.fetchTradingFee(S)).toMatchObject({ maker: 0.0002, taker: 0.0005 });
    expect(await ex.fetchPositionMode(S)).toMatchObject({ hedged: false });
    await ex.setLeverage(10, S);
    expect(sim.exchange.engine.settings('BTCUSDT').leverage).toBe(10);
    expect(await ex.fetchLeverage(S)).toMatchObject({ longLeverage: 10, shortLeverage: 10 });
    await ex.setMarginMode('isolated', S);
    expect(sim.exchange.engine.settings('BTCUSDT').marginType).toBe('ISOLATED');
    await ex.setMarginMode('cross', S);
    expect(sim.exchange.engine.settings('BTCUSDT').marginType).toBe('CROSSED');
  });

  it('places post-only and limit orders, modifies, queries and cancels them, singly, in batches and all at once', async () => {
    const top = await rest('/fapi/v1/ticker/bookTicker?symbol=BTCUSDT');
    const bid = num(top.bidPrice);
    const ask = num(top.askPrice);
    const postOnly = await ex.createOrder(S, 'limit', 'buy', 0.002, Math.round(bid * 0.99), { postOnly: true, clientOrderId: 'ccxt-po' });
    expect(postOnly).toMatchObject({ status: 'open', postOnly: true, timeInForce: 'PO' });
    const postOnlyId = postOnly.id!;
    expect(sim.state().openOrders).toEqual([expect.objectContaining({ clientOrderId: 'ccxt-po', timeInForce: 'GTX' })]);
    await expect(ex.createOrder(S, 'limit', 'buy', 0.002, Math.round(ask * 1.01), { postOnly: true })).rejects.toThrow(/-5022/);
    const edited = await ex.editOrder(postOnlyId, S, 'limit', 'buy', 0.003, Math.round(bid * 0.98));
    expect(edited).toMatchObject({ id: postOnlyId, amount: 0.003, price: Math.round(bid * 0.98) });
    expect(sim.state().openOrders[0]).toMatchObject({ origQty: '0.003' });
    expect(await ex.fetchOrder(postOnlyId, S)).toMatchObject({ status: 'open', amount: 0.003 });
    expect(await ex.fetchOpenOrder(postOnlyId, S)).toMatchObject({ id: postOnlyId });
    const batch = await ex.createOrders([
      { symbol: S, type: 'limit', side: 'buy', amount: 0.002, price: Math.round(bid * 0.97) },
      { symbol: S, type: 'limit', side: 'sell', amount: 0.002, price: Math.round(ask * 1.03) },
    ]);
    expect(batch.map((o) => o.status)).toEqual(['open', 'open']);
    expect((await ex.fetchOpenOrders(S)).map((o) => o.id).sort()).toEqual(openOrderIds().sort());
    expect(await ex.cancelOrder(postOnlyId, S)).toMatchObject({ status: 'canceled' });
    await ex.cancelOrders([batch[0]!.id!], S);
    expect(openOrderIds()).toEqual([batch[1]!.id]);
    await ex.createOrder(S, 'limit', 'sell', 0.002, Math.round(ask * 1.04));
    await ex.cancelAllOrders(S);
    expect(openOrderIds()).toEqual([]);
    await expect(ex.fetchOpenOrder(postOnlyId, S)).rejects.toThrow(ccxt.OrderNotFound);
    // ccxt's createOrder ignores `test` for swaps (it would place a real order): the implicit method reaches order/test.
    await ex.fapiPrivatePostOrderTest({
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTC',
      quantity: '0.002',
      price: String(Math.round(bid * 0.9)),
    });
    expect(openOrderIds()).toEqual([]);
  });

  it('fills market and reduce-only orders, and lists orders, trades, funding and income as the simulator booked them', async () => {
    const before = num(btcPosition());
    const bought = await ex.createOrder(S, 'market', 'buy', 0.005, undefined, { clientOrderId: 'ccxt-mkt' });
    expect(await ex.fetchOrder(bought.id!, S)).toMatchObject({ status: 'closed', filled: 0.005 });
    await ex.createOrder(S, 'market', 'sell', 0.001, undefined, { reduceOnly: true });
    expect(num(btcPosition())).toBeCloseTo(before + 0.004, 9);
    await expect(ex.createOrder(S, 'market', 'sell', 1, undefined, { reduceOnly: true })).rejects.toThrow(/-2022/);
    const positions = await ex.fetchPositions([S]);
    expect(positions[0]).toMatchObject({ symbol: S, contracts: Math.abs(num(btcPosition())), side: 'long' });
    const orders = await ex.fetchOrders(S);
    expect(orders.map((o) => o.status)).toEqual(expect.arrayContaining(['canceled', 'closed']));
    const myTrades = await ex.fetchMyTrades(S);
    const simTrades = sim.state().trades.filter((t) => t.symbol === 'BTCUSDT');
    expect(myTrades.map((t) => [t.id, t.order, t.price, t.amount, t.fee?.cost])).toEqual(
      simTrades.map((t) => [String(t.id), String(t.orderId), num(t.price), num(t.qty), num(t.commission)]),
    );
    await waitFor(
      'two funding settlements with the position open',
      () => sim.state().fundingPayments.filter((p) => p.symbol === 'BTCUSDT').length >= 2,
      20_000,
      50,
    );
    const payments = sim.state().fundingPayments.filter((p) => p.symbol === 'BTCUSDT' && num(p.amount) !== 0);
    const fundingHistory = await ex.fetchFundingHistory(S);
    expect(fundingHistory.map((f) => [f.timestamp, f.amount])).toEqual(payments.map((p) => [p.time, num(p.amount)]));
    expect(new Set(fundingHistory.map((f) => f.id)).size).toBe(fundingHistory.length);
    const rates = await ex.fetchFundingRateHistory(S);
    expect(rates.map((r) => r.timestamp)).toEqual(expect.arrayContaining(payments.map((p) => p.time)));
    const ledger = await ex.fetchLedger('USDT', undefined, 1000);
    const total = ledger.reduce((sum, entry) => sum + (entry.direction === 'out' ? -1 : 1) * (entry.amount ?? 0), 0);
    expect(total).toBeCloseTo(num(sim.state().walletBalance), 6);
  });
});

describe('ccxt.pro binanceusdm streams', () => {
  it('keeps a local order book from diff depth equal to the REST snapshot of the same update id', async () => {
    await ex.watchOrderBook(S);
    for (let i = 0; i < 5; i++) await ex.watchOrderBook(S);
    stepper.pause();
    const snapshot = await rest('/fapi/v1/depth?symbol=BTCUSDT&limit=1000');
    await waitFor('ccxt applied the last diff', () => ex.orderbooks[S]?.nonce === snapshot.lastUpdateId, 10_000, 20);
    const book = ex.orderbooks[S]!;
    const levels = (side: string[][]) => side.slice(0, 50).map(([p, q]) => [num(p!), num(q!)]);
    expect(book.bids.slice(0, 50)).toEqual(levels(snapshot.bids));
    expect(book.asks.slice(0, 50)).toEqual(levels(snapshot.asks));
    stepper.resume();
  });

  it('watches tickers, aggregate trades, candles, mark prices and best bid/ask', async () => {
    const ticker = await ex.watchTicker(S);
    // ccxt reads @ticker or @miniTicker frames into the same ticker.
    expect(ticker).toMatchObject({ symbol: S, last: num(ticker.info['c']), info: expect.objectContaining({ s: 'BTCUSDT' }) });
    expect(['24hrTicker', '24hrMiniTicker']).toContain(ticker.info['e']);
    const trades = await ex.watchTrades(S);
    const first = trades[0]!;
    const [listed] = await rest(`/fapi/v1/aggTrades?symbol=BTCUSDT&fromId=${first.id}&limit=1`);
    expect([first.price, first.amount, first.timestamp]).toEqual([num(listed.p), num(listed.q), listed.T]);
    const candles = await ex.watchOHLCV(S, '1m');
    const [openTime, open, high, low, close] = candles.at(-1)!;
    expect(openTime! % 60_000).toBe(0);
    expect(Date.now() - openTime!).toBeLessThan(120_000);
    expect(low!).toBeLessThanOrEqual(Math.min(open!, close!));
    expect(high!).toBeGreaterThanOrEqual(Math.max(open!, close!));
    const mark = await ex.watchMarkPrice(S);
    expect(mark).toMatchObject({ symbol: S, markPrice: expect.any(Number) });
    const bidsAsks = await ex.watchBidsAsks([S]);
    expect(bidsAsks[S]!.bid!).toBeLessThan(bidsAsks[S]!.ask!);
  });

  it('follows the user stream: orders, own trades, balance and positions of a fill', async () => {
    const orders = ex.watchOrders(S);
    const myTrades = ex.watchMyTrades(S);
    const balance = ex.watchBalance();
    const positions = ex.watchPositions([S]);
    await waitFor(
      'ccxt connected its user stream',
      () => Object.values(ex.clients).some((c) => String(c.url).includes('/private/') && c.isConnected),
      10_000,
      20,
    );
    await ex.createOrder(S, 'market', 'buy', 0.002, undefined, { clientOrderId: 'ccxt-ws-fill' });
    const fill = sim.state().trades.at(-1)!;
    expect(fill.clientOrderId).toBe('ccxt-ws-fill');
    const [order] = await orders;
    expect(order).toMatchObject({ clientOrderId: 'ccxt-ws-fill', symbol: S });
    const [trade] = await myTrades;
    expect(trade).toMatchObject({ id: String(fill.id), price: num(fill.price), amount: num(fill.qty) });
    expect((await balance)['USDT']).toMatchObject({ total: expect.any(Number) });
    const [position] = await positions;
    expect(position).toMatchObject({ symbol: S });
  });
});
