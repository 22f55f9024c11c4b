/**
 * Market data over REST, with Binance's weights: ping, time, exchangeInfo, depth, book and
 * price tickers, 24-hour statistics, klines, recent and aggregate trades, mark price, funding
 * rate history and funding info.
 */
import { apiErrors } from './errors.ts';
import { flatDayStats } from './kline-book.ts';
import { isKlineInterval } from './kline-intervals.ts';
import { limitParam, optionalInteger, optionalSymbol, required, symbolParam, timeWindow } from './rest-params.ts';
import { bySymbol, fixed, marketRoute, type RouteContext, type RouteTable } from './rest-route.ts';
import {
  aggTradeJson,
  depthSnapshotJson,
  exchangeInfoJson,
  fundingInfoJson,
  fundingRateJson,
  klineRowJson,
  premiumIndexJson,
  publicTradeJson,
  restBookTickerJson,
  ticker24hrJson,
  tickerPriceJson,
} from './wire-market.ts';

const DEPTH_WEIGHTS: ReadonlyArray<readonly [number, number]> = [
  [5, 2],
  [10, 2],
  [20, 2],
  [50, 2],
  [100, 5],
  [500, 10],
  [1000, 20],
];
const HOUR_MS = 60 * 60 * 1000;

function depthWeight(params: URLSearchParams): number {
  const limit = Number(params.get('limit') ?? '500');
  return DEPTH_WEIGHTS.find(([max]) => limit <= max)?.[1] ?? 20;
}

/** Kline weight by limit: [1,100) 1, [100,500) 2, [500,1000] 5, above 10. */
function klinesWeight(params: URLSearchParams): number {
  const limit = Number(params.get('limit') ?? '500');
  return limit < 100 ? 1 : limit < 500 ? 2 : limit <= 1000 ? 5 : 10;
}

/** Runs `entry` for the symbol asked for (an object), or for every symbol (an array). */
function oneOrAll(ctx: RouteContext, entry: (symbol: string) => unknown): unknown {
  const one = optionalSymbol(ctx.params, ctx.exchange.engine);
  return one !== null ? entry(one) : ctx.exchange.engine.symbolNames().map(entry);
}

/** Adds the market-data routes. */
export function marketRoutes(routes: RouteTable): void {
  routes.set(
    'GET /fapi/v1/ping',
    marketRoute(fixed(1), () => ({})),
  );
  routes.set(
    'GET /fapi/v1/time',
    marketRoute(fixed(1), (ctx) => ({ serverTime: ctx.nowMs })),
  );
  routes.set(
    'GET /fapi/v1/exchangeInfo',
    marketRoute(fixed(1), (ctx) => exchangeInfoJson(ctx.exchange.symbols(), ctx.nowMs, ctx.limits)),
  );
  routes.set(
    'GET /fapi/v1/depth',
    marketRoute(depthWeight, (ctx) => {
      const symbol = symbolParam(ctx.params, ctx.exchange.engine);
      const limitText = ctx.params.get('limit') ?? '500';
      const limit = Number(limitText);
      if (!DEPTH_WEIGHTS.some(([allowed]) => allowed === limit)) throw apiErrors.invalidDepthLimit(limitText);
      return depthSnapshotJson(ctx.exchange.engine.symbol(symbol), ctx.exchange.book(symbol).snapshot(limit), ctx.nowMs);
    }),
  );
  routes.set(
    'GET /fapi/v1/ticker/bookTicker',
    marketRoute(bySymbol(2, 5), (ctx) =>
      oneOrAll(ctx, (symbol) => restBookTickerJson(ctx.exchange.engine.symbol(symbol), ctx.exchange.book(symbol).top(), ctx.nowMs)),
    ),
  );
  const price = marketRoute(bySymbol(1, 2), (ctx) =>
    oneOrAll(ctx, (symbol) => {
      const last = ctx.exchange.lastPrice(symbol);
      return tickerPriceJson(ctx.exchange.engine.symbol(symbol), last.priceTicks, last.timeMs);
    }),
  );
  routes.set('GET /fapi/v1/ticker/price', price);
  routes.set('GET /fapi/v2/ticker/price', price);
  routes.set(
    'GET /fapi/v1/ticker/24hr',
    marketRoute(bySymbol(1, 40), (ctx) =>
      oneOrAll(ctx, (symbol) => {
        const stats = ctx.exchange.klines(symbol).dayStats(ctx.nowMs) ?? flatDayStats(ctx.exchange.lastPrice(symbol).priceTicks, ctx.nowMs);
        return ticker24hrJson(ctx.exchange.engine.symbol(symbol), stats);
      }),
    ),
  );
  routes.set(
    'GET /fapi/v1/klines',
    marketRoute(klinesWeight, (ctx) => {
      const symbol = symbolParam(ctx.params, ctx.exchange.engine);
      const interval = required(ctx.params, 'interval');
      if (!isKlineInterval(interval)) throw apiErrors.invalidInterval();
      const query = { ...timeWindow(ctx.params), limit: limitParam(ctx.params, 500, 1500) };
      const sym = ctx.exchange.engine.symbol(symbol);
      return ctx.exchange
        .klines(symbol)
        .bars(interval, query, ctx.nowMs)
        .map((bar) => klineRowJson(sym, bar));
    }),
  );
  routes.set(
    'GET /fapi/v1/trades',
    marketRoute(fixed(5), (ctx) => {
      const symbol = symbolParam(ctx.params, ctx.exchange.engine);
      const sym = ctx.exchange.engine.symbol(symbol);
      return ctx.exchange
        .tape(symbol)
        .recent(limitParam(ctx.params, 500, 1000))
        .map((t) => publicTradeJson(sym, t));
    }),
  );
  routes.set(
    'GET /fapi/v1/aggTrades',
    marketRoute(fixed(20), (ctx) => {
      const symbol = symbolParam(ctx.params, ctx.exchange.engine);
      const window = timeWindow(ctx.params);
      if (window.startTime !== null && window.endTime !== null && window.endTime - window.startTime >= HOUR_MS) throw apiErrors.lookupIntervalTooBig();
      const query = { ...window, fromId: optionalInteger(ctx.params, 'fromId'), limit: limitParam(ctx.params, 500, 1000) };
      const sym = ctx.exchange.engine.symbol(symbol);
      return ctx.exchange
        .tape(symbol)
        .aggTrades(query)
        .map((a) => aggTradeJson(sym, a));
    }),
  );
  routes.set(
    'GET /fapi/v1/premiumIndex',
    marketRoute(bySymbol(1, 10), (ctx) =>
      oneOrAll(ctx, (symbol) => premiumIndexJson(ctx.exchange.engine.symbol(symbol), ctx.exchange.funding(symbol), ctx.nowMs)),
    ),
  );
  routes.set(
    'GET /fapi/v1/fundingRate',
    marketRoute(fixed(1), (ctx) => {
      const symbol = optionalSymbol(ctx.params, ctx.exchange.engine);
      const query = { symbol, ...timeWindow(ctx.params), limit: limitParam(ctx.params, 100, 1000) };
      return ctx.exchange.fundingHistory.query(query).map((r) => fundingRateJson(ctx.exchange.engine.symbol(r.symbol), r));
    }),
  );
  routes.set(
    'GET /fapi/v1/fundingInfo',
    marketRoute(fixed(0), (ctx) => ctx.exchange.symbols().map((sym) => fundingInfoJson(sym, ctx.exchange.fundingIntervalMs()))),
  );
}
