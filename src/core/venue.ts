/**
 * The port the runner trades through. The Binance adapter implements it; the simulator is
 * reached through that same adapter over the Binance wire protocol, so paper and live trading
 * share every line of runner code.
 */
import type { Instrument } from './instrument.ts';
import type {
  AccountUpdate,
  BookTop,
  CancelOrder,
  CommandOutcome,
  FundingPayment,
  MarginCall,
  MarginType,
  MarkPriceUpdate,
  OrderSnapshot,
  OrderTransport,
  OrderUpdate,
  PlaceOrder,
  PositionSnapshot,
  RateLimitUsage,
  UserTrade,
} from './model.ts';

export type StreamName = 'market' | 'user';

export interface StreamStateChange {
  readonly stream: StreamName;
  readonly connected: boolean;
  /** Why it changed: "open", "close 1006", "ping timeout", "listenKeyExpired", ... */
  readonly reason: string;
  readonly url: string;
  /** The user stream's listenKey (unmasked; every sink masks it). */
  readonly listenKey: string | null;
}

export type ListenKeyAction = 'created' | 'renewed' | 'renew_failed' | 'expired' | 'recreated' | 'closed';

export type { OrderTransport } from './model.ts';

/** The transport orders take changed, or was first chosen (at connect). */
export interface OrderTransportChange {
  readonly transport: OrderTransport;
  /** Why: "configured: rest", "ws-api connecting", "ws-api open", "ws-api close 1006", "ws-api ping timeout", ... */
  readonly reason: string;
}

export interface ListenKeyEvent {
  readonly action: ListenKeyAction;
  readonly listenKey: string | null;
  readonly error: string | null;
}

/** Callbacks from the venue's streams. Handlers must not throw; the adapter guards them anyway. */
export interface VenueListener {
  onBookTop(top: BookTop): void;
  onMarkPrice(update: MarkPriceUpdate): void;
  onOrderUpdate(update: OrderUpdate): void;
  onAccountUpdate(update: AccountUpdate): void;
  onMarginCall(call: MarginCall): void;
  onStreamState(change: StreamStateChange): void;
  onListenKey(event: ListenKeyEvent): void;
  /** A frame or body that failed to parse: logged and counted, never fatal. */
  onMalformed(source: string, error: string, sample: string): void;
  /** The transport orders take changed (at connect: the one chosen). Venues with one transport never call it. */
  onOrderTransport?(change: OrderTransportChange): void;
}

export interface SymbolSetup {
  readonly leverage: number;
  readonly marginType: MarginType;
}

export interface VenueStatus {
  readonly restReachable: boolean;
  readonly marketConnected: boolean;
  readonly userConnected: boolean;
  readonly listenKeyLive: boolean;
  /** The transport orders and cancels take now (absent: the venue has one transport). */
  readonly orderTransport?: OrderTransport;
  /** Whether the order-entry WebSocket API connection is open (absent: not used). */
  readonly orderApiConnected?: boolean;
}

export interface Venue {
  /** Returns the instruments for these symbols from exchangeInfo (throws on an unknown symbol). */
  loadInstruments(symbols: readonly string[]): Promise<Instrument[]>;
  /** Measures the venue clock offset used for signed requests; returns offset ms (venue - local). */
  syncTime(): Promise<number>;
  /** Sets leverage and margin type (a "no need to change" answer is success). */
  configureSymbol(symbol: string, setup: SymbolSetup): Promise<void>;
  /** Sends one new order. Never retried blindly: an ambiguous outcome is returned as such. */
  placeOrder(command: PlaceOrder): Promise<CommandOutcome<OrderSnapshot>>;
  /** Cancels one order by client id; "unknown order" (-2011) is returned as rejected. */
  cancelOrder(command: CancelOrder): Promise<CommandOutcome<OrderSnapshot>>;
  /** Cancels every open order of a symbol. */
  cancelAllOpenOrders(symbol: string): Promise<CommandOutcome<null>>;
  /** Returns the order, or null when the venue does not know it (-2013). */
  queryOrder(symbol: string, clientOrderId: string): Promise<CommandOutcome<OrderSnapshot | null>>;
  /**
   * Returns every open order of a symbol. `urgent`: asked even while backing off after a 429
   * (a stop making sure nothing is left); cancelAllOpenOrders and countdownCancelAll always are.
   */
  openOrders(symbol: string, options?: { readonly urgent?: boolean }): Promise<OrderSnapshot[]>;
  /** Returns the one-way position of a symbol. */
  position(symbol: string): Promise<PositionSnapshot>;
  /**
   * Returns our trades of a symbol with a venue time at or after `fromTimeMs`, oldest first (the
   * account trade list), paging until caught up with a bounded number of requests.
   */
  userTrades(symbol: string, fromTimeMs: number): Promise<UserTrade[]>;
  /**
   * Returns the funding payments of a symbol at or after `fromTimeMs`, oldest first (the income
   * history, FUNDING_FEE), paging until caught up with a bounded number of requests.
   */
  fundingPayments(symbol: string, fromTimeMs: number): Promise<FundingPayment[]>;
  /** Returns mark price and funding (premiumIndex). */
  premiumIndex(symbol: string): Promise<MarkPriceUpdate>;
  /** Arms (or with 0 disarms) the venue's dead-man switch for a symbol. */
  countdownCancelAll(symbol: string, countdownMs: number): Promise<void>;
  /** Opens market streams for the symbols and the user stream; resolves once both are open. */
  connect(symbols: readonly string[], listener: VenueListener): Promise<void>;
  /** Closes every stream and the listenKey. */
  disconnect(): Promise<void>;
  status(): VenueStatus;
  rateLimits(): RateLimitUsage;
}
