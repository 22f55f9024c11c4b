/**
 * The Binance USDⓈ-M venue: live Binance, the testnet, and the embedded simulator (which speaks
 * the same wire protocol) all go through this one class. Orders, cancels, order queries and
 * positions go through the OrderRouter (the WebSocket API or REST, order-router.ts); everything
 * else goes over REST.
 */
import { within, type Clock } from '../core/clock.ts';
import type { Instrument } from '../core/instrument.ts';
import type {
  CancelOrder,
  CommandOutcome,
  FundingPayment,
  MarkPriceUpdate,
  OrderSnapshot,
  PlaceOrder,
  PositionSnapshot,
  RateLimitUsage,
  UserTrade,
} from '../core/model.ts';
import type { OrderTransport, SymbolSetup, Venue, VenueListener, VenueStatus } from '../core/venue.ts';
import { DEFAULT_BACKOFF, type BackoffOptions } from './backoff.ts';
import { failure } from './command-outcome.ts';
import { ConnectTimeoutError, ExchangeError, SymbolNotTradingError, WireFormatError } from './errors.ts';
import { guardListener } from './listener-guard.ts';
import { MarketStream } from './market-stream.ts';
import { OrderRouter } from './order-router.ts';
import { RateLimitGate } from './rate-limit-gate.ts';
import { DEFAULT_LIVENESS, type LivenessOptions } from './reconnecting-socket.ts';
import { BinanceRestClient } from './rest-client.ts';
import type { RestTransport } from './rest-transport.ts';
import { UserStream } from './user-stream.ts';
import { parseExchangeInfo, toInstrument } from './wire/exchange-info.ts';
import { parseFundingPayments } from './wire/income.ts';
import { parsePremiumIndex } from './wire/market.ts';
import { parseOrders } from './wire/orders.ts';
import { parseUserTrades } from './wire/user-trades.ts';
import { WS_API_MAX_CONNECTION_AGE_MS, WsApiClient } from './ws-api-client.ts';
import { WsApiTrading, type WsApiCaller } from './ws-api-trading.ts';

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
  /**
   * How orders, cancels, order queries and positions travel: 'ws' over the WebSocket API while
   * its connection is open and over REST while it is not, or 'rest' only. Default 'rest'.
   */
  readonly orderTransport?: OrderTransport;
  /** The WebSocket API URL (wss://ws-fapi.binance.com/ws-fapi/v1); required with orderTransport 'ws'. */
  readonly wsApiUrl?: string;
  /** How long a WebSocket API request waits for its answer before it is ambiguous, ms. Default requestTimeoutMs (5000). */
  readonly wsApiRequestTimeoutMs?: number;
  /** Age at which the WebSocket API connection is replaced, ms. Default 23 h (Binance closes it at 24 h). */
  readonly wsApiRenewAfterMs?: number;
  /** Decorator hook around WebSocket API requests (telemetry), as `transport` is for REST. */
  readonly wsApiCaller?: (inner: WsApiCaller) => WsApiCaller;
}

/** Binance answers that mean "already configured that way". */
const NO_CHANGE_CODES: ReadonlySet<number> = new Set([-4046, -4059]);
/** The account trade list answers at most 1000 trades per request. */
const USER_TRADES_MAX_PAGE = 1000;
/** Income history records per page, at most (GET /fapi/v1/income `limit`). */
const INCOME_PAGE = 1000;
/** The account trade list reaches at most 7 days back from a start time. */
const USER_TRADES_MAX_SPAN_MS = 7 * 24 * 60 * 60 * 1000;

export class BinanceVenue implements Venue {
  private readonly options: BinanceVenueOptions;
  private readonly rest: BinanceRestClient;
  private readonly wsApi: WsApiClient | null;
  private readonly router: OrderRouter;
  private readonly instruments = new Map<string, Instrument>();
  private readonly lookup = (symbol: string): Instrument | undefined => this.instruments.get(symbol);
  private market: MarketStream | null = null;
  private user: UserStream | null = null;
  /** The connected listener's onMalformed (WebSocket API frames are reported there). */
  private malformed: VenueListener['onMalformed'] | null = null;
  private resyncing: Promise<void> | null = null;

  constructor(options: BinanceVenueOptions) {
    this.options = options;
    const gate = new RateLimitGate(options.clock);
    this.rest = new BinanceRestClient({
      gate,
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
    this.wsApi = options.orderTransport === 'ws' ? this.createWsApi(gate) : null;
    const caller = this.wsApi === null ? null : (options.wsApiCaller?.(this.wsApi) ?? this.wsApi);
    const wsApi = this.wsApi;
    this.router = new OrderRouter({
      preference: options.orderTransport ?? 'rest',
      rest: this.rest,
      ws: wsApi === null || caller === null ? null : { isReady: () => wsApi.isReady(), trading: new WsApiTrading(caller) },
      lookup: this.lookup,
      clock: options.clock,
    });
  }

  private createWsApi(gate: RateLimitGate): WsApiClient {
    const { options } = this;
    if (options.wsApiUrl === undefined) throw new RangeError("orderTransport 'ws' needs wsApiUrl");
    return new WsApiClient({
      url: options.wsApiUrl,
      apiKey: options.apiKey,
      apiSecret: options.apiSecret,
      clock: options.clock,
      recvWindowMs: options.recvWindowMs ?? 5000,
      requestTimeoutMs: options.wsApiRequestTimeoutMs ?? options.requestTimeoutMs ?? 5000,
      backoff: options.reconnect ?? DEFAULT_BACKOFF,
      liveness: options.ping ?? DEFAULT_LIVENESS,
      renewAfterMs: options.wsApiRenewAfterMs ?? WS_API_MAX_CONNECTION_AGE_MS - 60 * 60_000,
      gate,
      venueNowMs: () => options.clock.nowMs() + this.rest.clockOffsetMs(),
      resyncTime: () => this.resyncTime(),
      onState: (change) => this.router.wsStateChanged(change),
      onMalformed: (source, error, sample) => (this.malformed ?? options.onMalformed)?.(source, error, sample),
    });
  }

  /** Measures the clock offset again after a WebSocket API -1021; concurrent callers share one measurement. */
  private resyncTime(): Promise<void> {
    this.resyncing ??= this.rest
      .syncTime()
      .then(
        () => undefined,
        // The -1021 answer reaches the caller either way; a failed measurement shows in the next REST call.
        () => undefined,
      )
      .finally(() => {
        this.resyncing = null;
      });
    return this.resyncing;
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
    return this.router.placeOrder({
      symbol: command.symbol,
      side: command.side,
      type: command.type,
      quantity: instrument.formatQty(command.qtySteps),
      price: command.priceTicks === undefined ? undefined : instrument.formatPrice(command.priceTicks),
      timeInForce: command.type === 'LIMIT' ? (command.timeInForce ?? 'GTC') : undefined,
      reduceOnly: command.reduceOnly,
      newClientOrderId: command.clientOrderId,
    });
  }

  async cancelOrder(command: CancelOrder): Promise<CommandOutcome<OrderSnapshot>> {
    return this.router.cancelOrder(command.symbol, command.clientOrderId);
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
    return this.router.queryOrder(symbol, clientOrderId);
  }

  async openOrders(symbol: string, options: { readonly urgent?: boolean } = {}): Promise<OrderSnapshot[]> {
    return parseOrders(await this.rest.openOrders(symbol, options.urgent === true), this.lookup);
  }

  async position(symbol: string): Promise<PositionSnapshot> {
    return this.router.position(symbol);
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

  /**
   * Reads the symbol's FUNDING_FEE income from `fromTimeMs` (no further back than the income
   * history's 7-day default window), a page of 1000 at a time until a page comes back short or the
   * page bound is reached. Returns the payments oldest first, each once.
   */
  async fundingPayments(symbol: string, fromTimeMs: number): Promise<FundingPayment[]> {
    const venueNow = this.options.clock.nowMs() + this.rest.clockOffsetMs();
    const startTime = Math.max(Math.floor(fromTimeMs), venueNow - USER_TRADES_MAX_SPAN_MS + 60_000, 0);
    const maxPages = this.options.userTradesMaxPages ?? 20;
    const byId = new Map<string, FundingPayment>();
    for (let page = 1; page <= maxPages; page++) {
      const payments = parseFundingPayments(await this.rest.income(symbol, 'FUNDING_FEE', startTime, INCOME_PAGE, page));
      for (const payment of payments) if (payment.symbol === symbol && payment.timeMs >= startTime) byId.set(payment.incomeId, payment);
      if (payments.length < INCOME_PAGE) break;
    }
    return [...byId.values()].sort((a, b) => a.timeMs - b.timeMs);
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
    this.malformed = guarded.onMalformed;
    this.router.attach((change) => guarded.onOrderTransport?.(change));
    this.wsApi?.start();
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
    const done = await within(
      this.options.clock,
      timeoutMs,
      opened.then(() => true),
    );
    if (done === undefined) {
      await this.disconnect();
      throw new ConnectTimeoutError('market and user streams', timeoutMs);
    }
  }

  async disconnect(): Promise<void> {
    const market = this.market;
    const user = this.user;
    this.market = null;
    this.user = null;
    market?.stop();
    this.wsApi?.stop();
    this.router.detach();
    this.malformed = null;
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
      orderTransport: this.router.transport(),
      orderApiConnected: this.wsApi?.isReady() ?? false,
    };
  }

  rateLimits(): RateLimitUsage {
    return this.rest.rateLimits();
  }
}
