/**
 * The Binance USDⓈ-M venue: live Binance, the testnet, and the embedded simulator (which speaks
 * the same wire protocol) all go through this one class.
 */
import type { Clock } from '../core/clock.ts';
import type { Instrument } from '../core/instrument.ts';
import type { CancelOrder, CommandOutcome, MarkPriceUpdate, OrderSnapshot, PlaceOrder, PositionSnapshot, RateLimitUsage, UserTrade } from '../core/model.ts';
import type { SymbolSetup, Venue, VenueListener, VenueStatus } from '../core/venue.ts';
import { DEFAULT_BACKOFF, type BackoffOptions } from './backoff.ts';
import { ConnectTimeoutError, ExchangeError, SymbolNotTradingError, WireFormatError } from './errors.ts';
import { guardListener } from './listener-guard.ts';
import { MarketStream } from './market-stream.ts';
import { DEFAULT_LIVENESS, type LivenessOptions } from './reconnecting-socket.ts';
import { BinanceRestClient } from './rest-client.ts';
import type { RestTransport } from './rest-transport.ts';
import { UserStream } from './user-stream.ts';
import { parseExchangeInfo, toInstrument } from './wire/exchange-info.ts';
import { parsePremiumIndex } from './wire/market.ts';
import { parseOrder, parseOrders } from './wire/orders.ts';
import { parsePositionRisk } from './wire/positions.ts';
import { parseUserTrades } from './wire/user-trades.ts';

export interface BinanceVenueOptions {
  readonly restUrl: string;
  /** WS host root (e.g. wss://fstream.binance.com or ws://127.0.0.1:PORT). */
  readonly wsUrl: string;
  readonly apiKey: string;
  readonly apiSecret: string;
  readonly clock: Clock;
  /** Decorator hook around the REST transport (telemetry). */
  readonly transport?: (inner: RestTransport) => RestTransport;
  /** Replaces the undici transport (tests, benchmarks). */
  readonly baseTransport?: RestTransport;
  readonly recvWindowMs?: number;
  readonly requestTimeoutMs?: number;
  readonly keepaliveIntervalMs?: number;
  readonly keepaliveRetryMs?: number;
  readonly reconnect?: BackoffOptions;
  readonly ping?: LivenessOptions;
  readonly maxRetries?: number;
  readonly retryBaseDelayMs?: number;
  /** How long `connect` waits for both streams, ms. */
  readonly connectTimeoutMs?: number;
  /**
   * Reports a REST body part that could not be read and was skipped (an unreadable exchangeInfo
   * entry of a symbol we do not trade). Stream frames go to the listener's onMalformed.
   */
  readonly onMalformed?: (source: string, error: string, sample: string) => void;
  /** Most account-trade-list pages `userTrades` reads. Default 20. */
  readonly userTradesMaxPages?: number;
  /** Trades per account-trade-list page, at most (and by default) 1000. */
  readonly userTradesPageSize?: number;
}

/** Binance answers that mean "already configured that way". */
const NO_CHANGE_CODES: ReadonlySet<number> = new Set([-4046, -4059]);
const UNKNOWN_ORDER_QUERY = -2013;
/** The account trade list answers at most 1000 trades per request. */
const USER_TRADES_MAX_PAGE = 1000;
/** The account trade list reaches at most 7 days back from a start time. */
const USER_TRADES_MAX_SPAN_MS = 7 * 24 * 60 * 60 * 1000;

/** Returns an ExchangeError/WireFormatError as a command outcome; rethrows anything else. */
function failure(error: unknown): CommandOutcome<never> {
  if (error instanceof ExchangeError) {
    if (error.outcome === 'ambiguous') return { kind: 'ambiguous', reason: error.message };
    const rejected = { kind: 'rejected' as const, code: error.binanceCode ?? 0, reason: error.message, httpStatus: error.httpStatus ?? 0 };
    // The venue's Retry-After must reach the runner's back-off, not just the REST client's.
    return error.retryAfterMs === null ? rejected : { ...rejected, retryAfterMs: error.retryAfterMs };
  }
  if (error instanceof WireFormatError) {
    // The venue answered 2xx with something we cannot read: it may have acted.
    return { kind: 'ambiguous', reason: `unreadable response: ${error.message}` };
  }
  throw error;
}

export class BinanceVenue implements Venue {
  private readonly options: BinanceVenueOptions;
  private readonly rest: BinanceRestClient;
  private readonly instruments = new Map<string, Instrument>();
  private readonly lookup = (symbol: string): Instrument | undefined => this.instruments.get(symbol);
  private market: MarketStream | null = null;
  private user: UserStream | null = null;

  constructor(options: BinanceVenueOptions) {
    this.options = options;
    this.rest = new BinanceRestClient({
      restUrl: options.restUrl,
      apiKey: options.apiKey,
      apiSecret: options.apiSecret,
      clock: options.clock,
      ...(options.transport ? { transport: options.transport } : {}),
      ...(options.baseTransport ? { baseTransport: options.baseTransport } : {}),
      ...(options.recvWindowMs !== undefined ? { recvWindowMs: options.recvWindowMs } : {}),
      ...(options.requestTimeoutMs !== undefined ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
      ...(options.maxRetries !== undefined ? { maxRetries: options.maxRetries } : {}),
      ...(options.retryBaseDelayMs !== undefined ? { retryBaseDelayMs: options.retryBaseDelayMs } : {}),
    });
  }

  /** Returns the raw REST client (endpoint-named methods). */
  restClient(): BinanceRestClient {
    return this.rest;
  }

  /**
   * Returns the instruments of `symbols` from exchangeInfo. Throws when one of them is not
   * listed, unreadable, or not TRADING; unreadable entries of other symbols are reported through
   * `onMalformed` and skipped.
   */
  async loadInstruments(symbols: readonly string[]): Promise<Instrument[]> {
    const info = parseExchangeInfo(await this.rest.exchangeInfo());
    for (const bad of info.malformed) {
      if (bad.symbol !== null && symbols.includes(bad.symbol))
        throw new WireFormatError('symbols', `the exchangeInfo entry of ${bad.symbol} is unreadable: ${bad.error}`);
      this.options.onMalformed?.('rest:exchangeInfo', `${bad.symbol ?? 'a symbol'}: ${bad.error} (skipped: not traded)`, bad.symbol ?? '');
    }
    const out: Instrument[] = [];
    for (const symbol of symbols) {
      const spec = info.specs.get(symbol);
      if (spec === undefined) throw new WireFormatError('symbols', `symbol ${symbol} is not listed in exchangeInfo`);
      const status = info.statuses.get(symbol) ?? 'unknown';
      if (status !== 'TRADING') throw new SymbolNotTradingError(symbol, status);
      const instrument = toInstrument(spec);
      this.instruments.set(symbol, instrument);
      out.push(instrument);
    }
    return out;
  }

  async syncTime(): Promise<number> {
    return (await this.rest.syncTime()).offsetMs;
  }

  async configureSymbol(symbol: string, setup: SymbolSetup): Promise<void> {
    try {
      await this.rest.changeMarginType(symbol, setup.marginType);
    } catch (error) {
      if (!(error instanceof ExchangeError && error.binanceCode !== null && NO_CHANGE_CODES.has(error.binanceCode))) throw error;
    }
    await this.rest.changeLeverage(symbol, setup.leverage);
  }

  async placeOrder(command: PlaceOrder): Promise<CommandOutcome<OrderSnapshot>> {
    const instrument = this.instruments.get(command.symbol);
    if (instrument === undefined) return { kind: 'denied', reason: `instrument ${command.symbol} not loaded` };
    if (command.type === 'LIMIT' && command.priceTicks === undefined) return { kind: 'denied', reason: 'LIMIT order without a price' };
    try {
      const body = await this.rest.newOrder({
        symbol: command.symbol,
        side: command.side,
        type: command.type,
        quantity: instrument.formatQty(command.qtySteps),
        price: command.priceTicks === undefined ? undefined : instrument.formatPrice(command.priceTicks),
        timeInForce: command.type === 'LIMIT' ? (command.timeInForce ?? 'GTC') : undefined,
        reduceOnly: command.reduceOnly,
        newClientOrderId: command.clientOrderId,
      });
      return { kind: 'accepted', value: parseOrder(body, this.lookup) };
    } catch (error) {
      return failure(error);
    }
  }

  async cancelOrder(command: CancelOrder): Promise<CommandOutcome<OrderSnapshot>> {
    try {
      return { kind: 'accepted', value: parseOrder(await this.rest.cancelOrder(command.symbol, command.clientOrderId), this.lookup) };
    } catch (error) {
      return failure(error);
    }
  }

  async cancelAllOpenOrders(symbol: string): Promise<CommandOutcome<null>> {
    try {
      await this.rest.cancelAllOpenOrders(symbol);
      return { kind: 'accepted', value: null };
    } catch (error) {
      return failure(error);
    }
  }

  async queryOrder(symbol: string, clientOrderId: string): Promise<CommandOutcome<OrderSnapshot | null>> {
    try {
      return { kind: 'accepted', value: parseOrder(await this.rest.queryOrder(symbol, clientOrderId), this.lookup) };
    } catch (error) {
      if (error instanceof ExchangeError && error.binanceCode === UNKNOWN_ORDER_QUERY) return { kind: 'accepted', value: null };
      return failure(error);
    }
  }

  async openOrders(symbol: string, options: { readonly urgent?: boolean } = {}): Promise<OrderSnapshot[]> {
    return parseOrders(await this.rest.openOrders(symbol, options.urgent === true), this.lookup);
  }

  async position(symbol: string): Promise<PositionSnapshot> {
    return parsePositionRisk(await this.rest.positionRisk(symbol), symbol, this.lookup, this.options.clock.nowMs());
  }

  /**
   * Reads the account trade list from `fromTimeMs` (no earlier than 7 days back, the venue's
   * limit): the first page by start time, the next ones by `fromId` (inclusive; it cannot be
   * combined with a time), until a page comes back short or the page bound is reached. Returns
   * the trades oldest first, each once.
   */
  async userTrades(symbol: string, fromTimeMs: number): Promise<UserTrade[]> {
    const venueNow = this.options.clock.nowMs() + this.rest.clockOffsetMs();
    const startTime = Math.max(Math.floor(fromTimeMs), venueNow - USER_TRADES_MAX_SPAN_MS + 60_000, 0);
    const maxPages = this.options.userTradesMaxPages ?? 20;
    const limit = Math.min(USER_TRADES_MAX_PAGE, this.options.userTradesPageSize ?? USER_TRADES_MAX_PAGE);
    const byId = new Map<number, UserTrade>();
    let page = parseUserTrades(await this.rest.userTrades(symbol, { startTime, limit }), this.lookup);
    for (let pages = 1; ; pages++) {
      let lastId = -1;
      for (const trade of page) {
        if (trade.symbol !== symbol || trade.timeMs < startTime) continue;
        byId.set(trade.tradeId, trade);
        lastId = Math.max(lastId, trade.tradeId);
      }
      if (page.length < limit || lastId < 0 || pages >= maxPages) break;
      page = parseUserTrades(await this.rest.userTrades(symbol, { fromId: lastId + 1, limit }), this.lookup);
    }
    return [...byId.values()].sort((a, b) => a.tradeId - b.tradeId);
  }

  async premiumIndex(symbol: string): Promise<MarkPriceUpdate> {
    return parsePremiumIndex(await this.rest.premiumIndex(symbol));
  }

  async countdownCancelAll(symbol: string, countdownMs: number): Promise<void> {
    await this.rest.countdownCancelAll(symbol, countdownMs);
  }

  async connect(symbols: readonly string[], listener: VenueListener): Promise<void> {
    if (this.market !== null || this.user !== null) throw new Error('already connected');
    const guarded = guardListener(listener);
    const backoff = this.options.reconnect ?? DEFAULT_BACKOFF;
    const liveness = this.options.ping ?? DEFAULT_LIVENESS;
    let notifyOpen: () => void = () => {};
    const opened = new Promise<void>((resolve) => {
      notifyOpen = resolve;
    });
    const watching: VenueListener = {
      ...guarded,
      onStreamState: (change) => {
        guarded.onStreamState(change);
        if (this.market?.isConnected() === true && this.user?.isConnected() === true) notifyOpen();
      },
    };
    this.market = new MarketStream({
      wsUrl: this.options.wsUrl,
      symbols,
      clock: this.options.clock,
      backoff,
      liveness,
      lookup: this.lookup,
      listener: watching,
    });
    this.user = new UserStream({
      wsUrl: this.options.wsUrl,
      clock: this.options.clock,
      backoff,
      liveness,
      lookup: this.lookup,
      rest: this.rest,
      listener: watching,
      keepaliveIntervalMs: this.options.keepaliveIntervalMs ?? 30 * 60_000,
      keepaliveRetryMs: this.options.keepaliveRetryMs ?? 60_000,
    });
    this.market.start();
    try {
      await this.user.start();
    } catch (error) {
      await this.disconnect();
      throw error;
    }
    const timeoutMs = this.options.connectTimeoutMs ?? 30_000;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new ConnectTimeoutError('market and user streams', timeoutMs)), timeoutMs);
    });
    try {
      await Promise.race([opened, timeout]);
    } catch (error) {
      await this.disconnect();
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  async disconnect(): Promise<void> {
    const market = this.market;
    const user = this.user;
    this.market = null;
    this.user = null;
    market?.stop();
    await user?.stop();
  }

  /** Stops the streams and releases the REST connection pool. */
  async close(): Promise<void> {
    await this.disconnect();
    await this.rest.close();
  }

  status(): VenueStatus {
    return {
      restReachable: this.rest.restReachable(),
      marketConnected: this.market?.isConnected() ?? false,
      userConnected: this.user?.isConnected() ?? false,
      listenKeyLive: this.user?.listenKeyLive() ?? false,
    };
  }

  rateLimits(): RateLimitUsage {
    return this.rest.rateLimits();
  }
}
