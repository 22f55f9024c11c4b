/**
 * An in-memory venue for the runner's policy tests: the core's Venue port with BTCUSDT, open
 * orders, a position and a trade history held in maps, answers taken from a script the test
 * writes, and every call logged at the manual clock's time. Answers resolve at once (promise
 * callbacks), so a test moves only the clock.
 */
import type { Clock } from '../../src/core/clock.ts';
import { addSteps, asSteps, asTicks, negSteps, ZERO_STEPS, ZERO_TICKS, type Instrument, type Steps } from '../../src/core/instrument.ts';
import type {
  CancelOrder,
  CommandOutcome,
  FundingPayment,
  MarkPriceUpdate,
  OrderSnapshot,
  OrderUpdate,
  PlaceOrder,
  PositionSnapshot,
  RateLimitUsage,
  UserTrade,
} from '../../src/core/model.ts';
import type { StreamName, Venue, VenueListener, VenueStatus } from '../../src/core/venue.ts';
import { btc } from '../unit/core/fixtures.ts';

/** How the venue answers one place: accept it, lose the answer (created or not), or refuse it. */
export type PlaceAnswer =
  | { readonly kind: 'accept' }
  | { readonly kind: 'ambiguous'; readonly created: boolean }
  | { readonly kind: 'reject'; readonly code: number; readonly httpStatus: number; readonly retryAfterMs?: number };

export interface VenueCall {
  readonly atMs: number;
  readonly op: string;
  readonly arg: string;
}

export class MemoryVenue implements Venue {
  readonly instrument: Instrument = btc;
  readonly calls: VenueCall[] = [];
  /** Answers for the next places, in order; once empty, places are accepted. */
  readonly placeAnswers: PlaceAnswer[] = [];
  readonly open = new Map<string, OrderSnapshot>();
  /** Every order the venue ever held (status queries find them). */
  readonly known = new Map<string, OrderSnapshot>();
  readonly trades: UserTrade[] = [];
  readonly funding: FundingPayment[] = [];
  positionSteps: Steps = ZERO_STEPS;
  entryPrice = '0.0';
  /** Which trades the trade history shows yet (a trade can reach it after the position does). */
  tradeVisible: (trade: UserTrade) => boolean = () => true;
  /** Told every call before it is answered (a test can change the venue between two reads). */
  onCall: (op: string) => void = () => {};
  private listener: VenueListener | null = null;
  private nextOrderId = 1;
  private nextTradeId = 1;
  private readonly clock: Clock;
  private readonly connected: Record<StreamName, boolean> = { market: false, user: false };

  constructor(clock: Clock) {
    this.clock = clock;
  }

  /** Returns the calls of one operation. */
  callsOf(op: string): VenueCall[] {
    return this.calls.filter((c) => c.op === op);
  }

  /** Pushes a book ticker (ticks on the 0.10 grid). */
  book(bidTicks: number, askTicks: number): void {
    const now = this.clock.nowMs();
    this.listener?.onBookTop({
      symbol: 'BTCUSDT',
      updateId: now,
      bidTicks: asTicks(bidTicks),
      bidSteps: asSteps(1000),
      askTicks: asTicks(askTicks),
      askSteps: asSteps(1000),
      txTimeMs: now,
      eventTimeMs: now,
    });
  }

  /** Opens or drops a stream, as the adapter reports it. */
  stream(stream: StreamName, connected: boolean): void {
    this.connected[stream] = connected;
    this.listener?.onStreamState({ stream, connected, reason: connected ? 'open' : 'close 1006', url: `memory://${stream}`, listenKey: null });
  }

  /**
   * Fills a resting order in full at its price: the venue's position and trade history change;
   * the user stream is told when it is up, unless `lost` (the frame died with the connection):
   * then only the trade history knows.
   */
  fill(clientOrderId: string, lost = false): void {
    const order = this.open.get(clientOrderId);
    if (order === undefined) throw new Error(`no open order ${clientOrderId}`);
    const now = this.clock.nowMs();
    const filled: OrderSnapshot = { ...order, status: 'FILLED', executedSteps: order.qtySteps, updateTimeMs: now };
    this.open.delete(clientOrderId);
    this.known.set(clientOrderId, filled);
    this.positionSteps = addSteps(this.positionSteps, order.side === 'BUY' ? order.qtySteps : negSteps(order.qtySteps));
    this.entryPrice = this.instrument.formatPrice(order.priceTicks);
    const tradeId = this.nextTradeId++;
    this.trades.push({
      symbol: order.symbol,
      tradeId,
      orderId: order.orderId,
      side: order.side,
      priceTicks: order.priceTicks,
      qtySteps: order.qtySteps,
      commission: 0n,
      commissionAsset: 'USDT',
      realizedPnl: 0n,
      isMaker: true,
      timeMs: now,
    });
    if (this.connected.user && !lost) this.listener?.onOrderUpdate(this.update(filled, 'TRADE', tradeId));
  }

  /**
   * Pays funding (`amount` in 1e-8 USDT, positive when received) now: it is in the income history;
   * the user stream delivers it as an ACCOUNT_UPDATE FUNDING_FEE when up, unless `lost`.
   */
  payFunding(amount: bigint, lost = false): void {
    const now = this.clock.nowMs();
    this.funding.push({ symbol: 'BTCUSDT', incomeId: String(900 + this.funding.length), asset: 'USDT', amount, timeMs: now });
    if (!this.connected.user || lost) return;
    this.listener?.onAccountUpdate({
      reason: 'FUNDING_FEE',
      balances: [{ asset: 'USDT', walletBalance: 0n, crossWalletBalance: 0n, balanceChange: amount }],
      positions: [],
      eventTimeMs: now,
      txTimeMs: now,
    });
  }

  loadInstruments(): Promise<Instrument[]> {
    return Promise.resolve([this.instrument]);
  }

  syncTime(): Promise<number> {
    return Promise.resolve(0);
  }

  configureSymbol(): Promise<void> {
    return Promise.resolve();
  }

  placeOrder(command: PlaceOrder): Promise<CommandOutcome<OrderSnapshot>> {
    this.log('place', command.clientOrderId);
    const answer = this.placeAnswers.shift() ?? { kind: 'accept' };
    if (answer.kind === 'reject') {
      const refused = { kind: 'rejected' as const, code: answer.code, reason: `refused ${answer.code}`, httpStatus: answer.httpStatus };
      return Promise.resolve(answer.retryAfterMs === undefined ? refused : { ...refused, retryAfterMs: answer.retryAfterMs });
    }
    const created = answer.kind === 'accept' || answer.created;
    const snapshot: OrderSnapshot = {
      symbol: command.symbol,
      orderId: String(this.nextOrderId++),
      clientOrderId: command.clientOrderId,
      side: command.side,
      type: command.type,
      timeInForce: command.timeInForce ?? 'GTC',
      status: 'NEW',
      priceTicks: command.priceTicks ?? ZERO_TICKS,
      qtySteps: command.qtySteps,
      executedSteps: ZERO_STEPS,
      reduceOnly: command.reduceOnly,
      updateTimeMs: this.clock.nowMs(),
    };
    if (created) {
      this.open.set(command.clientOrderId, snapshot);
      this.known.set(command.clientOrderId, snapshot);
    }
    return Promise.resolve(answer.kind === 'accept' ? { kind: 'accepted', value: snapshot } : { kind: 'ambiguous', reason: 'answer lost' });
  }

  cancelOrder(command: CancelOrder): Promise<CommandOutcome<OrderSnapshot>> {
    this.log('cancel', command.clientOrderId);
    const order = this.open.get(command.clientOrderId);
    if (order === undefined) return Promise.resolve({ kind: 'rejected', code: -2011, reason: 'Unknown order sent.', httpStatus: 400 });
    const canceled: OrderSnapshot = { ...order, status: 'CANCELED', updateTimeMs: this.clock.nowMs() };
    this.open.delete(command.clientOrderId);
    this.known.set(command.clientOrderId, canceled);
    return Promise.resolve({ kind: 'accepted', value: canceled });
  }

  cancelAllOpenOrders(symbol: string): Promise<CommandOutcome<null>> {
    this.log('cancelAll', symbol);
    for (const id of [...this.open.keys()]) void this.cancelOrder({ symbol, clientOrderId: id });
    return Promise.resolve({ kind: 'accepted', value: null });
  }

  queryOrder(_symbol: string, clientOrderId: string): Promise<CommandOutcome<OrderSnapshot | null>> {
    this.log('query', clientOrderId);
    return Promise.resolve({ kind: 'accepted', value: this.known.get(clientOrderId) ?? null });
  }

  openOrders(symbol: string): Promise<OrderSnapshot[]> {
    this.log('openOrders', symbol);
    return Promise.resolve([...this.open.values()]);
  }

  position(symbol: string): Promise<PositionSnapshot> {
    this.log('position', symbol);
    const now = this.clock.nowMs();
    return Promise.resolve({
      symbol,
      amountSteps: this.positionSteps,
      entryPrice: this.entryPrice,
      markPrice: '65000.0',
      unrealizedPnl: 0n,
      updateTimeMs: now,
    });
  }

  userTrades(symbol: string, fromTimeMs: number): Promise<UserTrade[]> {
    this.log('userTrades', symbol);
    return Promise.resolve(this.trades.filter((t) => t.timeMs >= fromTimeMs && this.tradeVisible(t)));
  }

  fundingPayments(symbol: string, fromTimeMs: number): Promise<FundingPayment[]> {
    this.log('income', symbol);
    return Promise.resolve(this.funding.filter((p) => p.symbol === symbol && p.timeMs >= fromTimeMs));
  }

  premiumIndex(symbol: string): Promise<MarkPriceUpdate> {
    const now = this.clock.nowMs();
    return Promise.resolve({
      symbol,
      markPrice: '65000.0',
      indexPrice: '65000.0',
      fundingRate: '0.0001',
      nextFundingTimeMs: now + 3_600_000,
      eventTimeMs: now,
    });
  }

  countdownCancelAll(symbol: string, countdownMs: number): Promise<void> {
    this.log('countdown', `${symbol}:${countdownMs}`);
    return Promise.resolve();
  }

  /** Reports the transport orders take (as the adapter does at connect and on every switch). */
  transport(transport: 'ws' | 'rest', reason: string): void {
    this.listener?.onOrderTransport?.({ transport, reason });
  }

  connect(_symbols: readonly string[], listener: VenueListener): Promise<void> {
    this.listener = listener;
    this.transport('ws', 'ws-api open');
    this.stream('market', true);
    this.stream('user', true);
    return Promise.resolve();
  }

  disconnect(): Promise<void> {
    this.log('disconnect', '');
    return Promise.resolve();
  }

  status(): VenueStatus {
    return { restReachable: true, marketConnected: this.connected.market, userConnected: this.connected.user, listenKeyLive: this.connected.user };
  }

  rateLimits(): RateLimitUsage {
    return {};
  }

  private log(op: string, arg: string): void {
    this.calls.push({ atMs: this.clock.nowMs(), op, arg });
    this.onCall(op);
  }

  private update(order: OrderSnapshot, execution: 'NEW' | 'TRADE', tradeId: number): OrderUpdate {
    const now = this.clock.nowMs();
    return {
      symbol: order.symbol,
      clientOrderId: order.clientOrderId,
      orderId: order.orderId,
      side: order.side,
      type: order.type,
      timeInForce: order.timeInForce,
      qtySteps: order.qtySteps,
      priceTicks: order.priceTicks,
      execution,
      status: order.status,
      lastFilledSteps: execution === 'TRADE' ? order.qtySteps : ZERO_STEPS,
      lastFilledPriceTicks: execution === 'TRADE' ? order.priceTicks : ZERO_TICKS,
      cumulativeFilledSteps: order.executedSteps,
      commission: 0n,
      commissionAsset: 'USDT',
      realizedPnl: 0n,
      tradeId,
      isMaker: true,
      reduceOnly: order.reduceOnly,
      eventTimeMs: now,
      txTimeMs: now,
    };
  }
}
