/**
 * Binance's official connector (@binance/derivatives-trading-usds-futures) through a typical
 * session against the simulator, set up only with the options README documents: REST market
 * data, account, leverage, margin type, orders of every kind the simulator takes, batches,
 * modify, queries, cancels, trades, funding and income; then WebSocket streams on the routed
 * paths the connector opens (/public, /market, /private with the listenKey subscribed after
 * connecting): the user stream of a fill and a leverage change, and market streams with a local
 * book kept from diff depth as Binance documents it. What the connector reads is checked against
 * the simulator's state or REST answers at the same moment (the market paused).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  DerivativesTradingUsdsFuturesRestAPI as RestAPI,
  DerivativesTradingUsdsFuturesWebsocketStreams as Streams,
} from '@binance/derivatives-trading-usds-futures';
import type { DerivativesTradingUsdsFutures } from '@binance/derivatives-trading-usds-futures';
import { startSimulator, type SimulatorHandle } from '../../src/sim/index.ts';
import { waitFor } from '../support/runner-process.ts';
import { connectorClient, LocalBook, Stepper, type DepthEvent } from './client-setup.ts';

let sim: SimulatorHandle;
let stepper: Stepper;
let client: DerivativesTradingUsdsFutures;
let streams: Awaited<ReturnType<DerivativesTradingUsdsFutures['websocketStreams']['connect']>> | null = null;

/** Reads a public REST answer of the simulator directly. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- wire JSON under test
const rest = async (pathAndQuery: string): Promise<any> => (await fetch(`${sim.restUrl}${pathAndQuery}`)).json();
/** Awaits a connector REST call and returns its parsed body. */
const data = async <T>(call: Promise<{ data(): Promise<T> }>): Promise<T> => (await call).data();
const num = (value: unknown) => Number(value);
const openOrderIds = () => sim.state().openOrders.map((o) => Number(o.orderId));
const position = (symbol: string) => sim.state().positions.find((p) => p.symbol === symbol)!.positionAmt;

beforeAll(async () => {
  sim = await startSimulator({ autoStep: false, fundingIntervalMs: 2_000, seed: 202 });
  stepper = new Stepper(sim);
  stepper.resume();
  client = connectorClient(sim);
});
afterAll(async () => {
  stepper.pause();
  await streams?.disconnect();
  await sim.close();
});

describe('connector REST session', () => {
  it('reads exchange information, the book, tickers, candles, trades and funding info', async () => {
    const api = client.restAPI;
    const info = await data(api.exchangeInformation());
    expect(info.symbols?.map((s) => s.symbol)).toEqual(['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'BNBUSDT']);
    await waitFor('some trades', async () => (await rest('/fapi/v1/trades?symbol=BTCUSDT')).length > 5, 20_000, 50);
    stepper.pause();
    const [book, rawBook] = await Promise.all([data(api.orderBook({ symbol: 'BTCUSDT', limit: 5 })), rest('/fapi/v1/depth?symbol=BTCUSDT&limit=5')]);
    expect([num(book.lastUpdateId), book.bids, book.asks]).toEqual([rawBook.lastUpdateId, rawBook.bids, rawBook.asks]);
    const ticker = await data(api.ticker24hrPriceChangeStatistics({ symbol: 'BTCUSDT' }));
    const price = await data(api.symbolPriceTickerV2({ symbol: 'BTCUSDT' }));
    expect(ticker).toMatchObject({ symbol: 'BTCUSDT', lastPrice: (price as { price: string }).price });
    const candles = await data(api.klineCandlestickData({ symbol: 'BTCUSDT', interval: RestAPI.KlineCandlestickDataIntervalEnum.INTERVAL_1m, limit: 3 }));
    expect(candles.at(-1)?.[4]).toBe((price as { price: string }).price);
    const trades = await data(api.recentTradesList({ symbol: 'BTCUSDT', limit: 5 }));
    expect(trades.at(-1)?.price).toBe((price as { price: string }).price);
    const aggs = await data(api.compressedAggregateTradesList({ symbol: 'BTCUSDT', limit: 5 }));
    expect(aggs.at(-1)?.p).toBe((price as { price: string }).price);
    const mark = await data(api.markPrice({ symbol: 'BTCUSDT' }));
    expect(mark).toMatchObject({ symbol: 'BTCUSDT', markPrice: (await rest('/fapi/v1/premiumIndex?symbol=BTCUSDT')).markPrice });
    const fundingInfo = await data(api.getFundingRateInfo());
    expect(fundingInfo.map((f) => [f.symbol, f.fundingIntervalHours])).toContainEqual(['BTCUSDT', 2_000 / 3_600_000]);
    stepper.resume();
  });

  it('reads account, balance, positions and configuration; changes leverage and margin type', async () => {
    const api = client.restAPI;
    const balances = await data(api.futuresAccountBalanceV3());
    expect(balances.find((b) => b.asset === 'USDT')).toMatchObject({ balance: sim.state().walletBalance });
    const v2 = await data(api.accountInformationV2());
    const v3 = await data(api.accountInformationV3());
    expect(v2.totalWalletBalance).toBe(v3.totalWalletBalance);
    expect(await data(api.positionInformationV3())).toEqual([]);
    expect(await data(api.changeInitialLeverage({ symbol: 'BTCUSDT', leverage: 7 }))).toMatchObject({ symbol: 'BTCUSDT', leverage: 7 });
    expect(sim.exchange.engine.settings('BTCUSDT').leverage).toBe(7);
    expect(await data(api.symbolConfiguration({ symbol: 'BTCUSDT' }))).toEqual([
      expect.objectContaining({ symbol: 'BTCUSDT', leverage: 7, marginType: 'CROSSED' }),
    ]);
    await data(api.changeMarginType({ symbol: 'BTCUSDT', marginType: RestAPI.ChangeMarginTypeMarginTypeEnum.ISOLATED }));
    expect(sim.exchange.engine.settings('BTCUSDT').marginType).toBe('ISOLATED');
    await data(api.changeMarginType({ symbol: 'BTCUSDT', marginType: RestAPI.ChangeMarginTypeMarginTypeEnum.CROSSED }));
    await expect(data(api.changeMarginType({ symbol: 'BTCUSDT', marginType: RestAPI.ChangeMarginTypeMarginTypeEnum.CROSSED }))).rejects.toMatchObject({
      code: -4046,
    });
    expect(await data(api.getCurrentPositionMode())).toEqual({ dualSidePosition: false });
    expect(await data(api.futuresAccountConfiguration())).toMatchObject({ dualSidePosition: false, canTrade: true });
    expect(await data(api.userCommissionRate({ symbol: 'BTCUSDT' }))).toMatchObject({ makerCommissionRate: '0.0002', takerCommissionRate: '0.0005' });
    expect(await data(api.notionalAndLeverageBrackets({ symbol: 'BTCUSDT' }))).toMatchObject({
      symbol: 'BTCUSDT',
      brackets: [expect.objectContaining({ initialLeverage: 125 })],
    });
  });

  it('places, tests, modifies, queries and cancels orders, singly, in batches and all at once', async () => {
    const api = client.restAPI;
    const top = await rest('/fapi/v1/ticker/bookTicker?symbol=BTCUSDT');
    const bid = Math.round(num(top.bidPrice));
    const ask = Math.round(num(top.askPrice));
    const { BUY, SELL } = RestAPI.NewOrderSideEnum;
    const { LIMIT, MARKET } = RestAPI.NewOrderTypeEnum;
    const { GTC, GTX } = RestAPI.NewOrderTimeInForceEnum;
    const placed = await data(
      api.newOrder({ symbol: 'BTCUSDT', side: BUY, type: LIMIT, timeInForce: GTX, quantity: 0.002, price: bid - 500, newClientOrderId: 'conn-po' }),
    );
    expect(placed).toMatchObject({ clientOrderId: 'conn-po', status: 'NEW', timeInForce: 'GTX' });
    await expect(data(api.newOrder({ symbol: 'BTCUSDT', side: BUY, type: LIMIT, timeInForce: GTX, quantity: 0.002, price: ask + 500 }))).rejects.toMatchObject({
      code: -5022,
    });
    await data(
      api.testOrder({
        symbol: 'BTCUSDT',
        side: RestAPI.TestOrderSideEnum.BUY,
        type: RestAPI.TestOrderTypeEnum.LIMIT,
        timeInForce: RestAPI.TestOrderTimeInForceEnum.GTC,
        quantity: 0.002,
        price: bid - 900,
      }),
    );
    expect(openOrderIds()).toEqual([num(placed.orderId)]);
    const modified = await data(
      api.modifyOrder({ symbol: 'BTCUSDT', orderId: placed.orderId!, side: RestAPI.ModifyOrderSideEnum.BUY, quantity: 0.003, price: bid - 600 }),
    );
    expect(modified).toMatchObject({ clientOrderId: 'conn-po', origQty: '0.003' });
    expect(num(modified.price)).toBe(bid - 600);
    expect(await data(api.queryOrder({ symbol: 'BTCUSDT', orderId: placed.orderId! }))).toMatchObject({ status: 'NEW', origQty: '0.003' });
    expect(await data(api.queryCurrentOpenOrder({ symbol: 'BTCUSDT', origClientOrderId: 'conn-po' }))).toMatchObject({ orderId: placed.orderId });
    const batch = await data(
      api.placeMultipleOrders({
        batchOrders: [
          { symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC', quantity: 0.002, price: bid - 700 },
          { symbol: 'BTCUSDT', side: 'SELL', type: 'LIMIT', timeInForce: 'GTC', quantity: 0.002, price: ask + 700 },
        ],
      }),
    );
    const batchIds = batch.map((o) => num(o.orderId));
    expect(batch.map((o) => o.status)).toEqual(['NEW', 'NEW']);
    expect((await data(api.currentAllOpenOrders({ symbol: 'BTCUSDT' }))).map((o) => num(o.orderId)).sort()).toEqual(openOrderIds().sort());
    const cancelled = await data(api.cancelMultipleOrders({ symbol: 'BTCUSDT', orderIdList: batchIds }));
    expect(cancelled.map((o) => o.status)).toEqual(['CANCELED', 'CANCELED']);
    expect(await data(api.cancelOrder({ symbol: 'BTCUSDT', orderId: placed.orderId! }))).toMatchObject({ status: 'CANCELED' });
    await data(api.newOrder({ symbol: 'BTCUSDT', side: SELL, type: LIMIT, timeInForce: GTC, quantity: 0.002, price: ask + 800 }));
    await data(api.cancelAllOpenOrders({ symbol: 'BTCUSDT' }));
    expect(openOrderIds()).toEqual([]);
    await expect(data(api.queryCurrentOpenOrder({ symbol: 'BTCUSDT', origClientOrderId: 'conn-po' }))).rejects.toMatchObject({ code: -2013 });
    const market = await data(
      api.newOrder({ symbol: 'BTCUSDT', side: BUY, type: MARKET, quantity: 0.005, newOrderRespType: RestAPI.NewOrderNewOrderRespTypeEnum.RESULT }),
    );
    expect(market).toMatchObject({ status: 'FILLED', executedQty: '0.005' });
    await data(api.newOrder({ symbol: 'BTCUSDT', side: SELL, type: MARKET, quantity: 0.001, reduceOnly: RestAPI.NewOrderReduceOnlyEnum.TRUE }));
    expect(position('BTCUSDT')).toBe('0.004');
    await expect(
      data(api.newOrder({ symbol: 'BTCUSDT', side: SELL, type: MARKET, quantity: 1, reduceOnly: RestAPI.NewOrderReduceOnlyEnum.TRUE })),
    ).rejects.toMatchObject({
      code: -2022,
    });
    const all = await data(api.allOrders({ symbol: 'BTCUSDT' }));
    expect(all.map((o) => o.status)).toEqual(expect.arrayContaining(['CANCELED', 'FILLED']));
    const mine = await data(api.accountTradeList({ symbol: 'BTCUSDT' }));
    expect(mine.map((t) => [num(t.id), t.price, t.qty, t.marginAsset])).toEqual(sim.state().trades.map((t) => [t.id, t.price, t.qty, 'USDT']));
  });

  it('lists funding rates and FUNDING_FEE income as the simulator settled them', async () => {
    const api = client.restAPI;
    await waitFor(
      'two funding settlements with the position open',
      () => sim.state().fundingPayments.filter((p) => p.symbol === 'BTCUSDT').length >= 2,
      20_000,
      50,
    );
    const payments = sim.state().fundingPayments.filter((p) => p.symbol === 'BTCUSDT' && num(p.amount) !== 0);
    const income = await data(api.getIncomeHistory({ symbol: 'BTCUSDT', incomeType: RestAPI.GetIncomeHistoryIncomeTypeEnum.FUNDING_FEE }));
    expect(income.map((i) => [num(i.time), i.income])).toEqual(payments.map((p) => [p.time, p.amount]));
    const rates = await data(api.getFundingRateHistory({ symbol: 'BTCUSDT' }));
    expect(rates.map((r) => [num(r.fundingTime), r.fundingRate])).toEqual(expect.arrayContaining(payments.map((p) => [p.time, p.rate])));
  });
});

describe('connector WebSocket streams', () => {
  it('follows a listenKey subscribed after connecting: ACCOUNT_CONFIG_UPDATE, then TRADE_LITE, ORDER_TRADE_UPDATE and ACCOUNT_UPDATE of a fill', async () => {
    streams = await client.websocketStreams.connect();
    const { listenKey } = await data(client.restAPI.startUserDataStream());
    const events: Array<Record<string, unknown>> = [];
    streams.userData(listenKey!).on('message', (event) => void events.push(event as unknown as Record<string, unknown>));
    // Changing the leverage to its current value still sends ACCOUNT_CONFIG_UPDATE: a harmless probe that the subscription is live.
    await waitFor(
      'the user stream delivers',
      async () => {
        await data(client.restAPI.changeInitialLeverage({ symbol: 'BTCUSDT', leverage: 7 }));
        return events.some((e) => e['e'] === 'ACCOUNT_CONFIG_UPDATE');
      },
      10_000,
      100,
    );
    expect(events.find((e) => e['e'] === 'ACCOUNT_CONFIG_UPDATE')).toMatchObject({ ac: { s: 'BTCUSDT', l: 7 } });
    await data(
      client.restAPI.newOrder({
        symbol: 'BTCUSDT',
        side: RestAPI.NewOrderSideEnum.BUY,
        type: RestAPI.NewOrderTypeEnum.MARKET,
        quantity: 0.002,
        newClientOrderId: 'conn-ws',
      }),
    );
    const fill = sim.state().trades.at(-1)!;
    await waitFor('the account update of the fill', () => events.some((e) => e['e'] === 'ACCOUNT_UPDATE'), 10_000, 20);
    const lite = events.find((e) => e['e'] === 'TRADE_LITE');
    const update = events.find((e) => e['e'] === 'ORDER_TRADE_UPDATE' && (e['o'] as Record<string, unknown>)['x'] === 'TRADE');
    expect(lite).toMatchObject({ c: 'conn-ws', L: fill.price, l: fill.qty });
    expect(num(lite!['t'])).toBe(fill.id);
    expect(update).toMatchObject({ o: expect.objectContaining({ c: 'conn-ws', X: 'FILLED', L: fill.price }) });
    expect(events.indexOf(lite!)).toBeLessThan(events.indexOf(update!));
    const account = events.find((e) => e['e'] === 'ACCOUNT_UPDATE') as { a: { P: Array<{ s: string; pa: string }> } };
    expect(account.a.P.find((p) => p.s === 'BTCUSDT')?.pa).toBe(position('BTCUSDT'));
  });

  it('keeps a local book from diff depth equal to the REST snapshot of the same update id', async () => {
    const live = streams!;
    const book = new LocalBook();
    live.diffBookDepthStreams({ symbol: 'btcusdt' }).on('message', (event) => book.onEvent(event as DepthEvent));
    await waitFor('buffered depth events', () => book.bufferedCount >= 3, 10_000, 20);
    book.start(await rest('/fapi/v1/depth?symbol=BTCUSDT&limit=1000'));
    const started = book.updateId!;
    await waitFor('events after the snapshot', () => book.updateId! > started, 10_000, 20);
    stepper.pause();
    const snapshot = await rest('/fapi/v1/depth?symbol=BTCUSDT&limit=1000');
    await waitFor('the local book caught up', () => book.updateId === BigInt(snapshot.lastUpdateId), 10_000, 20);
    expect(book.gap).toBe(false);
    expect(book.best('bids', 50)).toEqual(snapshot.bids.slice(0, 50));
    expect(book.best('asks', 50)).toEqual(snapshot.asks.slice(0, 50));
    stepper.resume();
  });

  it('delivers partial depth, mark prices, book tickers, aggregate trades, tickers and klines', async () => {
    const live = streams!;
    const seen = new Map<string, Record<string, unknown>>();
    const keep = (name: string) => (event: unknown) => void seen.set(name, event as Record<string, unknown>);
    live.partialBookDepthStreams({ symbol: 'btcusdt', levels: Streams.PartialBookDepthStreamsLevelsEnum.LEVELS_5 }).on('message', keep('partial'));
    live.markPriceStream({ symbol: 'btcusdt' }).on('message', keep('mark'));
    live.markPriceStreamForAllMarket().on('message', keep('allMarks'));
    live.allBookTickersStream().on('message', keep('allBookTickers'));
    live.aggregateTradeStreams({ symbol: 'btcusdt' }).on('message', keep('aggTrade'));
    live.individualSymbolTickerStreams({ symbol: 'btcusdt' }).on('message', keep('ticker'));
    live.individualSymbolMiniTickerStream({ symbol: 'btcusdt' }).on('message', keep('miniTicker'));
    live.klineCandlestickStreams({ symbol: 'btcusdt', interval: Streams.KlineCandlestickStreamsIntervalEnum.INTERVAL_1m }).on('message', keep('kline'));
    const names = ['partial', 'mark', 'allMarks', 'allBookTickers', 'aggTrade', 'ticker', 'miniTicker', 'kline'];
    await waitFor('a frame on every stream', () => names.every((n) => seen.has(n)), 20_000, 50);
    const partial = seen.get('partial') as { b: string[][]; a: string[][] };
    expect([partial.b.length, partial.a.length]).toEqual([5, 5]);
    expect(seen.get('mark')).toMatchObject({ e: 'markPriceUpdate', s: 'BTCUSDT' });
    expect((seen.get('allMarks') as unknown as Array<{ s: string }>).map((m) => m.s)).toEqual(['BTCUSDT', 'ETHUSDT', 'SOLUSDT', 'BNBUSDT']);
    expect(seen.get('allBookTickers')).toMatchObject({ e: 'bookTicker' });
    expect(seen.get('aggTrade')).toMatchObject({ e: 'aggTrade', s: 'BTCUSDT' });
    expect(seen.get('ticker')).toMatchObject({ e: '24hrTicker', s: 'BTCUSDT' });
    expect(seen.get('miniTicker')).toMatchObject({ e: '24hrMiniTicker', s: 'BTCUSDT' });
    expect(seen.get('kline')).toMatchObject({ e: 'kline', k: expect.objectContaining({ i: '1m', s: 'BTCUSDT' }) });
  });
});
