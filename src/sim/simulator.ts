/**
 * Entry point of the embedded exchange: starts a Binance-compatible USDⓈ-M venue (REST +
 * WebSocket + admin API) on a local port, with a synthetic market stepping on a timer.
 */
import { createPublicKey } from 'node:crypto';
import { every, type Clock, type ClockReading } from '../core/clock.ts';
import { parseMoney } from '../core/money.ts';
import { FaultController } from './faults.ts';
import { defaultMarketModelOptions, type MarketModelOptions } from './market-model.ts';
import { Prng } from './prng.ts';
import { binanceRateLimits, RateLimiter, type RateLimits } from './rate-limits.ts';
import { restRoutes } from './rest-routes.ts';
import { SimServer } from './server.ts';
import { SimulatedExchange } from './simulated-exchange.ts';
import { simState, type SimState } from './sim-state.ts';
import { defaultSymbolSpecs, simSymbol, type SimSymbolSpec } from './symbols.ts';
import { systemTimers, wallClock } from './wall-clock.ts';
import { WS_API_PATH, WsApiServer } from './ws-api-server.ts';
import { WsHub } from './ws-hub.ts';

/**
 * The simulator's fixed credentials: the example key and secret of Binance's API documentation
 * (General Info, "SIGNED endpoint examples"), so that the documented signature is a test.
 */
export const SIM_API_KEY = 'vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A';
export const SIM_API_SECRET = 'NhqPtmdSJYdKjVHjA7PZj4Mge3R5YNiP1e3UZjInClVN65XAbvqqM6A7H5fATj0j';

export interface SimulatorOptions {
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Default 0 (a free port). */
  readonly port?: number;
  /** Symbols listed: names of the built-in specs (BTCUSDT, ETHUSDT, SOLUSDT, BNBUSDT) or full specs. Default all built-ins. */
  readonly symbols?: ReadonlyArray<string | SimSymbolSpec>;
  /** Seed of the market's random walk; the same seed replays the same market. Default 1. */
  readonly seed?: number;
  readonly apiKey?: string;
  readonly apiSecret?: string;
  /**
   * An Ed25519 API key the venue also knows: its name and public key (PEM). The WebSocket API's
   * session.logon accepts only such a key; requests may also be signed with it.
   */
  readonly ed25519ApiKey?: { readonly apiKey: string; readonly publicKeyPem: string };
  /** Default "0.0002" maker, "0.0005" taker (Binance's VIP 0 rates). */
  readonly makerFeeRate?: string;
  readonly takerFeeRate?: string;
  /** Default 8 h; funding settles at multiples of it since the epoch. */
  readonly fundingIntervalMs?: number;
  /** Market step period, ms. Default 100. */
  readonly stepIntervalMs?: number;
  /** Step the market on a timer (default true); with false, call `handle.step()`. */
  readonly autoStep?: boolean;
  /** Mid volatility per step, bps (shortcut for market.volatilityBps). */
  readonly volatilityBps?: number;
  readonly market?: Partial<MarketModelOptions>;
  /** The exchange's clock (timestamps, recvWindow); default: the real wall clock. */
  readonly clock?: ClockReading;
  /** The network edge's timers (pings, held answers, lifetimes, automatic steps); default: real time. */
  readonly timers?: Clock;
  /** Starting USDT wallet balance as a decimal string. Default "10000". */
  readonly startingBalance?: string;
  /**
   * Positions the account already holds at start, as if inherited from an earlier session:
   * signed quantity per symbol (e.g. { BTCUSDT: "-0.040" }), entered at the start price.
   */
  readonly startingPositions?: Readonly<Record<string, string>>;
  /** Default 20. */
  readonly leverage?: number;
  readonly rateLimits?: Partial<RateLimits>;
  /** Period of the server's WebSocket pings (default 3 min, as Binance) and how long a pong may take (default 10 min). */
  readonly wsPingIntervalMs?: number;
  readonly wsPongTimeoutMs?: number;
  /** Age at which the WebSocket API closes a connection (default 24 h, as Binance). */
  readonly wsApiConnectionLifetimeMs?: number;
  /** Default 60 min. */
  readonly listenKeyValidityMs?: number;
  /** Period of `@markPrice@1s` (default 1000 ms); `@markPrice` gets every third. */
  readonly markPriceIntervalMs?: number;
}

export interface SimulatorHandle {
  /** e.g. http://127.0.0.1:41234 (Binance's https://fapi.binance.com). */
  readonly restUrl: string;
  /** e.g. ws://127.0.0.1:41234 (Binance's wss://fstream.binance.com); append /public/..., /market/..., /private/.... */
  readonly wsUrl: string;
  /** e.g. ws://127.0.0.1:41234/ws-fapi/v1 (Binance's wss://ws-fapi.binance.com/ws-fapi/v1): the WebSocket API. */
  readonly wsApiUrl: string;
  readonly apiKey: string;
  readonly apiSecret: string;
  readonly faults: FaultController;
  /** The venue itself, for tests that need to look inside. */
  readonly exchange: SimulatedExchange;
  /** Returns the account state (open orders, positions, balance, totals, trades, funding). */
  state(): SimState;
  /** Advances the market `n` steps (default 1) at the clock's current time. */
  step(n?: number): void;
  close(): Promise<void>;
}

function resolveSymbols(wanted: ReadonlyArray<string | SimSymbolSpec> | undefined): SimSymbolSpec[] {
  const builtIn = defaultSymbolSpecs();
  if (wanted === undefined) return builtIn;
  return wanted.map((w) => {
    if (typeof w !== 'string') return w;
    const spec = builtIn.find((s) => s.symbol === w.toUpperCase());
    if (!spec) throw new RangeError(`unknown simulator symbol ${w}; known: ${builtIn.map((s) => s.symbol).join(', ')}`);
    return spec;
  });
}

/** Starts the simulator and returns its handle once it listens. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<SimulatorHandle> {
  const clock = options.clock ?? wallClock();
  const timers = options.timers ?? systemTimers();
  const seed = options.seed ?? 1;
  const symbols = resolveSymbols(options.symbols).map(simSymbol);
  const market: MarketModelOptions = {
    ...defaultMarketModelOptions(),
    ...options.market,
    ...(options.volatilityBps !== undefined ? { volatilityBps: options.volatilityBps } : {}),
  };
  const exchange = new SimulatedExchange({
    symbols,
    seed,
    market,
    makerFeeRate: options.makerFeeRate ?? '0.0002',
    takerFeeRate: options.takerFeeRate ?? '0.0005',
    startingBalance: parseMoney(options.startingBalance ?? '10000'),
    startingPositions: Object.entries(options.startingPositions ?? {}).map(([symbol, qty]) => {
      const sym = symbols.find((s) => s.spec.symbol === symbol);
      if (sym === undefined) throw new RangeError(`starting position for unlisted symbol ${symbol}`);
      return { symbol, amountSteps: sym.instrument.qtyToSteps(qty), entryTicks: sym.instrument.priceToTicks(sym.spec.startPrice, 'nearest') };
    }),
    defaultLeverage: options.leverage ?? 20,
    fundingIntervalMs: options.fundingIntervalMs ?? 8 * 60 * 60 * 1000,
    markPriceIntervalMs: options.markPriceIntervalMs ?? 1000,
    listenKeyValidityMs: options.listenKeyValidityMs ?? 60 * 60 * 1000,
    clock,
  });
  const faults = new FaultController(new Prng(seed ^ 0x5eed), () => clock.nowMs());
  const hub = new WsHub({
    knownSymbols: new Set(symbols.map((s) => s.spec.symbol)),
    isLiveListenKey: (key) => exchange.listenKeys.isLive(key, clock.nowMs()),
    pingIntervalMs: options.wsPingIntervalMs ?? 180_000,
    pongTimeoutMs: options.wsPongTimeoutMs ?? 600_000,
    timers,
  });
  exchange.attach(hub);
  const limiter = new RateLimiter({ ...binanceRateLimits(), ...options.rateLimits });
  const wsApi = new WsApiServer({
    exchange,
    faults,
    limiter,
    restRoutes: restRoutes(),
    apiKey: options.apiKey ?? SIM_API_KEY,
    apiSecret: options.apiSecret ?? SIM_API_SECRET,
    ed25519ApiKey:
      options.ed25519ApiKey === undefined ? null : { apiKey: options.ed25519ApiKey.apiKey, publicKey: createPublicKey(options.ed25519ApiKey.publicKeyPem) },
    pingIntervalMs: options.wsPingIntervalMs ?? 180_000,
    pongTimeoutMs: options.wsPongTimeoutMs ?? 600_000,
    connectionLifetimeMs: options.wsApiConnectionLifetimeMs ?? 24 * 60 * 60 * 1000,
    timers,
  });
  faults.bind({
    dropSockets: (target, code) => hub.drop(target, code) + wsApi.drop(target, code),
    silenceSockets: (target, silent, includingNew) => hub.silence(target, silent, includingNew) + wsApi.silence(target, silent),
    expireListenKey: () => exchange.forceListenKeyExpiry(),
    injectFrame: (target, text) => hub.inject(target, text) + wsApi.inject(target, text),
  });
  const step = (n = 1): void => {
    for (let i = 0; i < n; i++) exchange.step();
  };
  const server = new SimServer({
    exchange,
    faults,
    hub,
    wsApi,
    apiKey: options.apiKey ?? SIM_API_KEY,
    apiSecret: options.apiSecret ?? SIM_API_SECRET,
    limiter,
    step,
    timers,
  });
  const host = options.host ?? '127.0.0.1';
  const port = await server.listen(host, options.port ?? 0);
  const stepping = options.autoStep === false ? null : every(timers, options.stepIntervalMs ?? 100, () => exchange.step());
  const urlHost = host.includes(':') ? `[${host}]` : host;
  let closed = false;
  return {
    restUrl: `http://${urlHost}:${port}`,
    wsUrl: `ws://${urlHost}:${port}`,
    wsApiUrl: `ws://${urlHost}:${port}${WS_API_PATH}`,
    apiKey: options.apiKey ?? SIM_API_KEY,
    apiSecret: options.apiSecret ?? SIM_API_SECRET,
    faults,
    exchange,
    state: () => simState(exchange),
    step,
    close: async () => {
      if (closed) return;
      closed = true;
      stepping?.cancel();
      await hub.close();
      await wsApi.close();
      await server.close();
    },
  };
}
