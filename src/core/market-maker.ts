/**
 * The market maker for one symbol: joins market data, order updates and the risk rules into
 * decisions. Pure: time comes in as `nowMs`, and every outcome leaves as returned commands and
 * domain events. The rules are described in src/core/README.md.
 */
import { ClientOrderIds, isOurClientOrderId, type ClientOrderTag } from './client-order-ids.ts';
import { EdgeMonitor, fillEdgeBps } from './edge-monitor.ts';
import { domainEvent, type DomainEvent } from './events.ts';
import { headroomSteps, signedNotional, worstCase, type Exposure } from './exposure.ts';
import { grindClip } from './grinding.ts';
import { rateToBps, resolveGridParams, type GridParams } from './grid-params.ts';
import type { Instrument, Steps, Ticks } from './instrument.ts';
import { Inventory } from './inventory.ts';
import {
  isFinalStatus,
  type AccountUpdate,
  type BookTop,
  type CancelOrder,
  type CommandOutcome,
  type MarkPriceUpdate,
  type OrderSnapshot,
  type OrderUpdate,
  type PlaceOrder,
  type PositionSnapshot,
  type Side,
  type UserTrade,
} from './model.ts';
import { formatMoney, type Money } from './money.ts';
import { OrderTracker, type OrderPurpose, type OutcomeEffect, type TrackedOrderView } from './order-tracker.ts';
import type { StrategyParams } from './params.ts';
import { fundingSkewBps, inventorySkewBps, meetsMinimums, quoteLadder, sizeForMinNotional, type Ladder } from './quoting.ts';
import { RejectionBackoff } from './rejection-backoff.ts';
import { RiskMachine, type RiskState } from './risk.ts';
import { blocksRiskReducing, reportedReason, SuppressionReporter, type SuppressionReason } from './suppression.ts';

export type { OrderPurpose } from './order-tracker.ts';
export type { RiskState } from './risk.ts';
export type { SuppressionReason } from './suppression.ts';

export type OrderCommand =
  | { readonly kind: 'place'; readonly order: PlaceOrder; readonly purpose: OrderPurpose }
  | { readonly kind: 'cancel'; readonly cancel: CancelOrder; readonly reason: string };

/** A wanted order that was not placed, and why. */
export interface SkippedOrder {
  readonly slot: string;
  readonly side: Side;
  readonly reason: 'worst_case_limit' | 'above_max_qty';
}

export interface Decision {
  /** Cancels first, then places. */
  readonly commands: readonly OrderCommand[];
  readonly events: readonly DomainEvent[];
  readonly suppressed: SuppressionReason | null;
  readonly skipped: readonly SkippedOrder[];
}

export interface MarketMakerView {
  readonly symbol: string;
  readonly midTicks: number | null;
  readonly bestBidTicks: number | null;
  readonly bestAskTicks: number | null;
  readonly ourBidTicks: number | null;
  readonly ourAskTicks: number | null;
  readonly positionSteps: number;
  readonly pendingBuySteps: number;
  readonly pendingSellSteps: number;
  readonly worstLongSteps: number;
  readonly worstShortSteps: number;
  readonly worstLongNotional: Money;
  readonly worstShortNotional: Money;
  readonly positionNotional: Money;
  readonly riskState: RiskState;
  readonly riskRatio: number;
  readonly frozenReason: string | null;
  readonly suppressed: SuppressionReason | null;
  readonly edgeBps: number | null;
  readonly realizedPnl: Money;
  readonly unrealizedPnl: Money;
  readonly fees: Money;
  readonly fundingAccum: Money;
  readonly fundingRate: string | null;
  readonly predictedFundingRate: string | null;
  readonly entryPrice: string;
  readonly openOrders: number;
  readonly inFlight: number;
  readonly ambiguous: number;
  readonly grindingCount: number;
  readonly reduceOnlyForceCount: number;
  /** The position the venue last reported in an ACCOUNT_UPDATE, when it differed from ours. */
  readonly venuePositionMismatchSteps: number | null;
}

export interface MarketMakerOptions {
  readonly clientIdPrefix: string;
  readonly shadow: boolean;
  /** Base-36 start-time component of client ids. */
  readonly sessionId: string;
  /**
   * A status query that finds no order settles an ambiguous order only once the order was sent
   * at least this long ago (recvWindow plus clock tolerance: until then the venue may still
   * accept the request). Default 0.
   */
  readonly notFoundAfterMs?: number;
}

/** An ambiguous order is queried once it has been unsettled this long (and again after as long). */
export const AMBIGUOUS_QUERY_GRACE_MS = 2_000;

interface OrderTarget {
  readonly slot: string;
  readonly side: Side;
  readonly priceTicks: Ticks;
  readonly qtySteps: Steps;
  readonly reduceOnly: boolean;
  readonly purpose: OrderPurpose;
}

const TAGS: Record<OrderPurpose, ClientOrderTag> = { quote: 'q', reduce_only_force: 'r', grind: 'g' };

/** Where a fill was learnt: the user stream, or the venue's trade history after a stream outage. */
type FillSource = 'user_stream' | 'backfill';

/** One fill, whichever way it arrived. */
interface FillRecord {
  readonly clientOrderId: string;
  readonly orderId: string;
  readonly side: Side;
  readonly priceTicks: Ticks;
  readonly qtySteps: Steps;
  readonly commission: Money;
  readonly commissionAsset: string;
  readonly isMaker: boolean;
  readonly venueTimeMs: number;
  /** The order is filled in full with this fill. */
  readonly full: boolean;
}

/** The freeze reason when the rolling fill edge falls below the minimum. */
export const EDGE_FREEZE_REASON = 'edge_below_minimum';

function quoteSlot(side: Side, level: number): string {
  return `quote:${side}:${level}`;
}

/** The freeze reason when a hard risk limit is breached. */
export const RISK_LIMIT_FREEZE = 'risk_limit';

export class MarketMaker {
  readonly symbol: string;
  private readonly instrument: Instrument;
  private readonly params: GridParams;
  private readonly shadow: boolean;
  private readonly prefix: string;
  private readonly sessionId: string;
  private readonly ids: ClientOrderIds;
  private readonly tracker = new OrderTracker();
  private readonly inventory: Inventory;
  private readonly risk: RiskMachine;
  private readonly edge: EdgeMonitor;
  private readonly suppression = new SuppressionReporter();
  private book: BookTop | null = null;
  private readonly rejections = new RejectionBackoff();
  private deadmanArmed = true;
  /** Our clock when the book was last updated: its age never depends on the venue's clock. */
  private bookReceivedAtMs = 0;
  private marketConnected = false;
  private userConnected = false;
  private reconciled = false;
  private reconcileCount = 0;
  private external: 'rate_limited' | 'stopping' | null = null;
  private eventLogHealthy = true;
  private readonly notFoundAfterMs: number;
  private markTicks: Ticks | null = null;
  private fundingRate: string | null = null;
  private predictedFundingRate: string | null = null;
  private nextFundingTimeMs: number | null = null;
  /** Fills with a venue time at or before this are already in the position adopted at reconcile. */
  private positionIncludedThroughMs = Number.NEGATIVE_INFINITY;
  private venuePositionMismatch: Steps | null = null;
  private lastDecidedKey: string | null = null;
  private decisionCount = 0;
  private shadowBid: Ticks | null = null;
  private shadowAsk: Ticks | null = null;
  private grindingCount = 0;
  private reduceOnlyForceCount = 0;

  /** Throws when the params cannot be resolved onto the instrument's grid. */
  constructor(instrument: Instrument, params: StrategyParams, options: MarketMakerOptions) {
    this.instrument = instrument;
    this.symbol = instrument.symbol;
    this.params = resolveGridParams(instrument, params);
    this.shadow = options.shadow;
    this.prefix = options.clientIdPrefix;
    this.sessionId = options.sessionId;
    this.notFoundAfterMs = options.notFoundAfterMs ?? 0;
    this.ids = new ClientOrderIds(options.clientIdPrefix, options.sessionId);
    this.inventory = new Inventory(instrument);
    this.risk = new RiskMachine(this.params);
    this.edge = new EdgeMonitor(this.params.edgeWindowFills, this.params.minEdgeBps, this.params.freezeCooldownMs);
  }

  /**
   * Takes a new best bid/offer, received at `nowMs` (our clock). Frames are taken in the order
   * they arrive: one connection delivers them in the venue's order and a reconnect discards the
   * book, so a backwards or absurd update id (a corrupt frame) must not make later ones look old.
   */
  onBookTop(top: BookTop, nowMs: number): void {
    if (top.symbol !== this.symbol) return;
    this.book = top;
    this.bookReceivedAtMs = nowMs;
  }

  /** Takes mark price and funding; returns funding_update when the rate changes or settles. */
  onMarkPrice(update: MarkPriceUpdate, _nowMs: number): DomainEvent[] {
    if (update.symbol !== this.symbol) return [];
    this.markTicks = this.instrument.priceToTicks(update.markPrice, 'nearest');
    const settled = this.nextFundingTimeMs !== null && update.nextFundingTimeMs > this.nextFundingTimeMs && this.predictedFundingRate !== null;
    if (settled) this.fundingRate = this.predictedFundingRate;
    const changed = this.predictedFundingRate === null || rateToBps(this.predictedFundingRate) !== rateToBps(update.fundingRate);
    this.predictedFundingRate = update.fundingRate;
    this.nextFundingTimeMs = update.nextFundingTimeMs;
    if (!changed && !settled) return [];
    return [this.fundingEvent(null)];
  }

  /** Records a stream's state; a dropped market stream discards the book (a fresh one is needed). */
  onStreamState(stream: 'market' | 'user', connected: boolean, _nowMs: number): DomainEvent[] {
    if (stream === 'market') {
      this.marketConnected = connected;
      if (!connected) this.book = null;
    } else {
      this.userConnected = connected;
    }
    return [];
  }

  /**
   * Applies an ORDER_TRADE_UPDATE; returns order_update, order_settled, order_filled and
   * position_update as they apply. Duplicates and stale updates return nothing.
   */
  onOrderUpdate(update: OrderUpdate, nowMs: number): DomainEvent[] {
    if (update.symbol !== this.symbol) return [];
    const isTrade = update.execution === 'TRADE' && update.lastFilledSteps > 0;
    const newTrade = isTrade && this.tracker.recordTrade(update.tradeId);
    let adopted = false;
    if (!this.tracker.knows(update.clientOrderId) && isOurClientOrderId(this.prefix, update.clientOrderId) && !isFinalStatus(update.status)) {
      this.tracker.adopt(this.snapshotOf(update), nowMs);
      adopted = true;
    } else if (this.tracker.reviveAsOrphan(this.snapshotOf(update))) {
      // Written off as not found, yet live at the venue: it must be cancelled, not forgotten.
      adopted = true;
    }
    const effect = this.tracker.applyUpdate(update, newTrade);
    if (!effect.changed && !adopted) return [];
    const id = update.clientOrderId;
    const events: DomainEvent[] = [];
    const fmt = this.instrument;
    events.push(
      domainEvent(
        'order_update',
        {
          symbol: this.symbol,
          client_id: id,
          order_id: update.orderId,
          status: update.status,
          execution: update.execution,
          side: update.side,
          price: fmt.formatPrice(update.priceTicks),
          qty: fmt.formatQty(update.qtySteps),
          last_qty: fmt.formatQty(update.lastFilledSteps),
          last_price: fmt.formatPrice(update.lastFilledPriceTicks),
          cum_qty: fmt.formatQty(update.cumulativeFilledSteps),
          commission: formatMoney(update.commission),
          commission_asset: update.commissionAsset,
          realized_pnl: formatMoney(update.realizedPnl),
          is_maker: update.isMaker,
          pending_buy: fmt.formatQty(this.tracker.pendingSteps('BUY')),
          pending_sell: fmt.formatQty(this.tracker.pendingSteps('SELL')),
        },
        id,
      ),
    );
    if (effect.settledFromAmbiguous)
      events.push(domainEvent('order_settled', { symbol: this.symbol, client_id: id, status: update.status, via: 'user_stream' }, id));
    if (newTrade) {
      events.push(
        ...this.applyFill(
          {
            clientOrderId: id,
            orderId: update.orderId,
            side: update.side,
            priceTicks: update.lastFilledPriceTicks,
            qtySteps: update.lastFilledSteps,
            commission: update.commission,
            commissionAsset: update.commissionAsset,
            isMaker: update.isMaker,
            venueTimeMs: update.txTimeMs,
            full: update.status === 'FILLED',
          },
          'user_stream',
          effect.order !== null,
        ),
      );
    }
    return events;
  }

  /**
   * Applies trades read from the venue's trade history (fills the user stream missed while it
   * was down), oldest first, exactly as their user-stream TRADE would be: each trade id once (the
   * same set the stream uses, so a trade seen both ways counts once, whichever comes first), to
   * the inventory (fees, realized PnL) and to its order, found by the venue's order id; an order
   * whose trades reach its quantity becomes FILLED. Trades of orders we do not track are
   * ignored. Returns order_filled (`via: "backfill"`), position_update (`fill_backfill`) and, for
   * an order this made final, order_settled (`FILLED`, `via: "backfill"`).
   */
  applyMissedTrades(trades: readonly UserTrade[], _nowMs: number): DomainEvent[] {
    const events: DomainEvent[] = [];
    const ours = this.tracker.byVenueOrderId();
    for (const trade of [...trades].sort((a, b) => a.tradeId - b.tradeId)) {
      if (trade.symbol !== this.symbol || trade.qtySteps <= 0) continue;
      const order = ours.get(trade.orderId);
      if (order === undefined || !this.tracker.recordTrade(trade.tradeId)) continue;
      const id = order.clientOrderId;
      const effect = this.tracker.applyHistoricalTrade(id, trade.qtySteps);
      events.push(
        ...this.applyFill(
          {
            clientOrderId: id,
            orderId: trade.orderId,
            side: trade.side,
            priceTicks: trade.priceTicks,
            qtySteps: trade.qtySteps,
            commission: trade.commission,
            commissionAsset: trade.commissionAsset,
            isMaker: trade.isMaker,
            venueTimeMs: trade.timeMs,
            full: effect?.order.status === 'FILLED',
          },
          'backfill',
          true,
        ),
      );
      if (effect?.filled === true) events.push(domainEvent('order_settled', { symbol: this.symbol, client_id: id, status: 'FILLED', via: 'backfill' }, id));
    }
    return events;
  }

  /**
   * Returns the ambiguous orders whose venue order id is unknown: trades in the venue's history
   * name only that id, so they are queried (`onOrderQuery`) before missed trades are applied.
   */
  ordersWithoutVenueId(): string[] {
    return this.tracker
      .active()
      .filter((o) => o.state === 'ambiguous' && o.orderId === null)
      .map((o) => o.clientOrderId);
  }

  /** Applies an ACCOUNT_UPDATE: funding fees accumulate; the venue position is cross-checked. */
  onAccountUpdate(update: AccountUpdate, _nowMs: number): DomainEvent[] {
    const events: DomainEvent[] = [];
    const ours = update.positions.filter((p) => p.symbol === this.symbol && p.positionSide === 'BOTH');
    if (update.reason === 'FUNDING_FEE' && (update.positions.length === 0 || ours.length > 0)) {
      for (const balance of update.balances) {
        if (balance.asset !== this.instrument.spec.marginAsset || balance.balanceChange === 0n) continue;
        this.inventory.addFunding(balance.balanceChange);
        events.push(this.fundingEvent(balance.balanceChange));
      }
    }
    for (const p of ours) {
      this.venuePositionMismatch = p.amountSteps === this.inventory.positionSteps ? null : p.amountSteps;
      if (this.venuePositionMismatch !== null) events.push(this.positionEvent(`venue_reports_${this.instrument.formatQty(p.amountSteps)}`));
    }
    return events;
  }

  /** Returns what to send now, with the events of this decision. */
  decide(nowMs: number): Decision {
    const events: DomainEvent[] = [];
    this.decisionCount += 1;
    for (const change of this.edge.update(nowMs)) {
      events.push(
        change.kind === 'triggered'
          ? domainEvent('freeze_triggered', { symbol: this.symbol, reason: EDGE_FREEZE_REASON, edge_bps: change.edgeBps })
          : domainEvent('freeze_cleared', { symbol: this.symbol, reason: 'cooldown_elapsed' }),
      );
    }
    const referenceTicks = this.referenceTicks();
    const exposure = this.exposure();
    if (referenceTicks !== null) {
      const notionals = this.notionals(exposure, referenceTicks);
      for (const t of this.risk.evaluate({
        positionNotionalAbs: notionals.position < 0n ? -notionals.position : notionals.position,
        worstLongNotional: notionals.worstLong,
        worstShortNotional: notionals.worstShort,
      })) {
        events.push(
          domainEvent('risk_state_changed', {
            symbol: this.symbol,
            from: t.from,
            to: t.to,
            reason: t.reason,
            position_notional: formatMoney(notionals.position),
            worst_long: formatMoney(notionals.worstLong),
            worst_short: formatMoney(notionals.worstShort),
          }),
        );
        if (t.to === 2) {
          // A breached hard limit freezes quoting too: only reduce-only orders go out until the
          // position is back under the soft limit.
          events.push(domainEvent('risk_freeze', { symbol: this.symbol, reason: t.reason, risk_ratio: this.riskRatio(exposure, referenceTicks) }));
          events.push(domainEvent('freeze_triggered', { symbol: this.symbol, reason: RISK_LIMIT_FREEZE, edge_bps: null }));
        }
        if (t.from === 2) events.push(domainEvent('freeze_cleared', { symbol: this.symbol, reason: 'risk_back_under_soft_limit' }));
      }
    }

    const applicable = this.applicableSuppressions(nowMs);
    const reported = reportedReason(applicable);
    const change = this.suppression.update(reported);
    if (change?.kind === 'suppressed')
      events.push(domainEvent('quote_suppressed', { symbol: this.symbol, reason: change.reason, detail: this.suppressionDetail(change.reason, nowMs) }));
    if (change?.kind === 'resumed') events.push(domainEvent('quote_resumed', { symbol: this.symbol, previous_reason: change.previous }));

    const placesAllowed = ![...applicable].some(blocksRiskReducing);
    const quotesAllowed = [...applicable].every((r) => r === 'shadow');
    const book = this.book !== null && !applicable.has('no_book') && !applicable.has('stale_book') && !applicable.has('crossed_book') ? this.book : null;
    const skew = referenceTicks === null ? 0 : this.skewBps(referenceTicks, exposure);
    const ladder = book === null ? null : quoteLadder(this.instrument, book.bidTicks, book.askTicks, this.params, skew);
    const skipped: SkippedOrder[] = [];
    const targets = this.targets(ladder, book, quotesAllowed, placesAllowed, skipped);
    this.pushQuoteDecided(events, book, targets, skew, reported);

    if (this.shadow) {
      this.shadowBid = targets.get(quoteSlot('BUY', 0))?.priceTicks ?? null;
      this.shadowAsk = targets.get(quoteSlot('SELL', 0))?.priceTicks ?? null;
      return { commands: [], events, suppressed: reported, skipped };
    }
    // While the venue asks us to back off (429/418) nothing can be sent: cancels would only be
    // refused locally and re-decided at once, a hot loop. The dead-man switch covers a long ban.
    if (applicable.has('rate_limited')) return { commands: [], events, suppressed: reported, skipped };
    const commands = this.commandsFor(targets, placesAllowed, reported, referenceTicks, exposure, nowMs, events, skipped);
    return { commands, events, suppressed: reported, skipped };
  }

  /**
   * Applies the answer to a place command; returns order_placed, order_rejected or
   * order_ambiguous. A rejection (other than a 429/418, which stops all sending) makes its slot
   * back off (rejection-backoff.ts); an acceptance clears the slot's back-off.
   */
  onPlaceOutcome(order: PlaceOrder, outcome: CommandOutcome<OrderSnapshot>, nowMs: number): DomainEvent[] {
    const slot = this.tracker.get(order.clientOrderId)?.slot ?? null;
    const effect = this.tracker.applyPlaceOutcome(order.clientOrderId, outcome, nowMs);
    let backoffMs = 0;
    if (slot !== null && effect.kind === 'placed') this.rejections.accepted(slot);
    if (slot !== null && effect.kind === 'rejected') {
      const rateLimited = outcome.kind === 'rejected' && (outcome.httpStatus === 429 || outcome.httpStatus === 418);
      if (!rateLimited) backoffMs = this.rejections.rejected(slot, effect.code ?? 0, nowMs);
    }
    return this.outcomeEvents(effect, 'place', backoffMs);
  }

  /** Applies the answer to a cancel command; returns order_settled or order_ambiguous when they apply. */
  onCancelOutcome(cancel: CancelOrder, outcome: CommandOutcome<OrderSnapshot>, nowMs: number): DomainEvent[] {
    return this.outcomeEvents(this.tracker.applyCancelOutcome(cancel.clientOrderId, outcome, nowMs), 'cancel');
  }

  /** Settles an ambiguous order from a status query (null: it never existed); returns order_settled. */
  onOrderQuery(clientOrderId: string, snapshot: OrderSnapshot | null, nowMs: number): DomainEvent[] {
    return this.outcomeEvents(this.tracker.applyQuery(clientOrderId, snapshot, nowMs, this.notFoundAfterMs), 'query');
  }

  /** Returns the ambiguous orders to query now: unsettled for the grace period since the last ask. */
  ordersToQuery(nowMs: number): string[] {
    return this.tracker.dueForQuery(nowMs, AMBIGUOUS_QUERY_GRACE_MS);
  }

  /**
   * Reconciles with the venue after a start or reconnect: orders we track are synced, unknown
   * orders with our prefix are cancelled, tracked open orders the venue no longer lists are final,
   * and the venue's position replaces ours. Marks the book reconciled.
   */
  reconcile(openOrders: readonly OrderSnapshot[], position: PositionSnapshot, nowMs: number): { events: DomainEvent[]; cancel: CancelOrder[] } {
    const events: DomainEvent[] = [];
    const cancel: CancelOrder[] = [];
    const listed = new Set<string>();
    let adopted = 0;
    for (const o of openOrders) {
      if (o.symbol !== this.symbol) continue;
      listed.add(o.clientOrderId);
      const tracked = this.tracker.get(o.clientOrderId);
      if (tracked !== undefined && tracked.state !== 'final') {
        adopted += 1;
        if (this.tracker.syncFromSnapshot(o))
          events.push(domainEvent('order_settled', { symbol: this.symbol, client_id: o.clientOrderId, status: o.status, via: 'reconcile' }, o.clientOrderId));
      } else if (isOurClientOrderId(this.prefix, o.clientOrderId)) {
        this.tracker.adopt(o, nowMs);
        this.tracker.markCancelSent(o.clientOrderId);
        cancel.push({ symbol: this.symbol, clientOrderId: o.clientOrderId });
      }
    }
    for (const o of this.tracker.active()) {
      if (o.state !== 'open' || listed.has(o.clientOrderId)) continue;
      this.tracker.markGone(o.clientOrderId);
      events.push(domainEvent('order_settled', { symbol: this.symbol, client_id: o.clientOrderId, status: 'GONE', via: 'reconcile' }, o.clientOrderId));
    }
    if (position.symbol === this.symbol) {
      // After a reconnect the fills the stream missed have been applied from the trade history:
      // when that brings our position to the venue's, our exact cost basis is kept (the venue's
      // entry price is rounded to a tick) and later fills count in full.
      const agrees = this.reconcileCount > 0 && position.amountSteps === this.inventory.positionSteps;
      if (!agrees) {
        this.inventory.adoptPosition(position.amountSteps, this.instrument.priceToTicks(position.entryPrice, 'nearest'));
        this.positionIncludedThroughMs = Math.max(this.positionIncludedThroughMs, position.updateTimeMs);
      }
      this.venuePositionMismatch = null;
      events.push(this.positionEvent('reconcile'));
    }
    this.reconciled = true;
    this.reconcileCount += 1;
    events.push(
      domainEvent('reconcile_done', {
        symbol: this.symbol,
        open_orders: listed.size,
        adopted,
        cancelled: cancel.length,
        position: this.instrument.formatQty(this.inventory.positionSteps),
        trigger: this.reconcileCount === 1 ? 'start' : 'reconnect',
      }),
    );
    return { events, cancel };
  }

  /** Suppresses quoting until the next reconcile() (the user stream dropped). */
  markUnreconciled(): void {
    this.reconciled = false;
  }

  /**
   * Records whether the event log can be written. While it cannot, quoting is suppressed
   * (`event_log_unwritable`) and resting quotes are cancelled: no new risk without an audit trail.
   */
  setEventLogHealthy(healthy: boolean): void {
    this.eventLogHealthy = healthy;
  }

  /**
   * Records whether the dead-man switch can be trusted to be armed. While it cannot, quoting is
   * suppressed (`deadman_unarmed`) and resting quotes are cancelled: if the process died now,
   * nothing would cancel them. Risk-reducing orders may continue.
   */
  setDeadmanArmed(armed: boolean): void {
    this.deadmanArmed = armed;
  }

  /** Sets (or with null clears) the runner's own suppression. */
  setSuppressed(reason: 'rate_limited' | 'stopping' | null): void {
    this.external = reason;
  }

  /** Returns the numbers the runner reports as metrics, snapshots and readiness. */
  view(_nowMs: number): MarketMakerView {
    const exposure = this.exposure();
    const referenceTicks = this.referenceTicks();
    const notionals = referenceTicks === null ? { position: 0n, worstLong: 0n, worstShort: 0n } : this.notionals(exposure, referenceTicks);
    const quotes = this.tracker.active().filter((o) => o.purpose === 'quote' && o.state === 'open');
    const bids = quotes.filter((o) => o.side === 'BUY').map((o) => o.priceTicks);
    const asks = quotes.filter((o) => o.side === 'SELL').map((o) => o.priceTicks);
    const valuation = this.markTicks ?? referenceTicks;
    return {
      symbol: this.symbol,
      midTicks: this.book === null ? null : Math.round((this.book.bidTicks + this.book.askTicks) / 2),
      bestBidTicks: this.book?.bidTicks ?? null,
      bestAskTicks: this.book?.askTicks ?? null,
      ourBidTicks: this.shadow ? this.shadowBid : bids.length > 0 ? Math.max(...bids) : null,
      ourAskTicks: this.shadow ? this.shadowAsk : asks.length > 0 ? Math.min(...asks) : null,
      positionSteps: exposure.positionSteps,
      pendingBuySteps: exposure.pendingBuySteps,
      pendingSellSteps: exposure.pendingSellSteps,
      worstLongSteps: exposure.worstLongSteps,
      worstShortSteps: exposure.worstShortSteps,
      worstLongNotional: notionals.worstLong,
      worstShortNotional: notionals.worstShort,
      positionNotional: notionals.position,
      riskState: this.risk.state,
      riskRatio: referenceTicks === null ? 0 : this.riskRatio(exposure, referenceTicks),
      frozenReason: this.edge.isFrozen() ? EDGE_FREEZE_REASON : null,
      suppressed: this.suppression.reason,
      edgeBps: this.edge.averageBps(),
      realizedPnl: this.inventory.realizedPnl,
      unrealizedPnl: valuation === null ? 0n : this.inventory.unrealizedPnl(valuation),
      fees: this.inventory.fees,
      fundingAccum: this.inventory.fundingAccum,
      fundingRate: this.fundingRate,
      predictedFundingRate: this.predictedFundingRate,
      entryPrice: this.inventory.averageEntryPrice(),
      openOrders: this.tracker.count('open'),
      inFlight: this.tracker.count('in_flight'),
      ambiguous: this.tracker.count('ambiguous'),
      grindingCount: this.grindingCount,
      reduceOnlyForceCount: this.reduceOnlyForceCount,
      venuePositionMismatchSteps: this.venuePositionMismatch,
    };
  }

  /**
   * Returns the wall time (ms) until which an order whose outcome is unknown may still reach the
   * venue (sent + `graceMs`, e.g. recvWindow plus clock tolerance), or null when none can.
   */
  lateArrivalUntilMs(graceMs: number): number | null {
    let until: number | null = null;
    for (const o of this.tracker.active()) if (o.state === 'ambiguous' || o.state === 'in_flight') until = Math.max(until ?? 0, o.sentMs + graceMs);
    return until;
  }

  /** Returns the client ids of every order that may rest at the venue (open, in flight, ambiguous). */
  openClientOrderIds(): string[] {
    return this.tracker.active().map((o) => o.clientOrderId);
  }

  /** Returns the tracked order with this client id, if any. */
  order(clientOrderId: string): TrackedOrderView | undefined {
    return this.tracker.get(clientOrderId);
  }

  /**
   * Applies one new fill to the inventory; returns order_filled and position_update. A fill the
   * position adopted at reconciliation already contains changes fees only. Only live fills feed
   * the edge monitor: a fill read back from the trade history is judged against today's mid.
   */
  private applyFill(fill: FillRecord, via: FillSource, ours: boolean): DomainEvent[] {
    const fee = fill.commissionAsset === this.instrument.spec.marginAsset ? fill.commission : 0n;
    let realized: Money = 0n;
    if (fill.venueTimeMs <= this.positionIncludedThroughMs) {
      this.inventory.addFee(fee);
    } else {
      realized = this.inventory.applyFill(fill.side, fill.priceTicks, fill.qtySteps, fee).realizedPnl;
    }
    if (ours && via === 'user_stream' && this.book !== null) {
      const mid = (this.book.bidTicks + this.book.askTicks) / 2;
      this.edge.record(fillEdgeBps(fill.side, fill.priceTicks, mid, fill.isMaker ? this.params.makerFeeBps : this.params.takerFeeBps));
    }
    const id = fill.clientOrderId;
    return [
      domainEvent(
        'order_filled',
        {
          symbol: this.symbol,
          client_id: id,
          order_id: fill.orderId,
          side: fill.side,
          price: this.instrument.formatPrice(fill.priceTicks),
          qty: this.instrument.formatQty(fill.qtySteps),
          commission: formatMoney(fill.commission),
          realized_pnl: formatMoney(realized),
          is_maker: fill.isMaker,
          full: fill.full,
          via,
        },
        id,
      ),
      this.positionEvent(via === 'user_stream' ? 'fill' : 'fill_backfill'),
    ];
  }

  private snapshotOf(update: OrderUpdate): OrderSnapshot {
    return {
      symbol: update.symbol,
      orderId: update.orderId,
      clientOrderId: update.clientOrderId,
      side: update.side,
      type: update.type,
      timeInForce: update.timeInForce,
      status: update.status,
      priceTicks: update.priceTicks,
      qtySteps: update.qtySteps,
      executedSteps: update.cumulativeFilledSteps,
      reduceOnly: update.reduceOnly,
      updateTimeMs: update.eventTimeMs,
    };
  }

  private exposure(): Exposure {
    return worstCase(this.inventory.positionSteps, this.tracker.pendingSteps('BUY'), this.tracker.pendingSteps('SELL'));
  }

  /** The price exposure is valued at: the book's mid (rounded), else the mark price. */
  private referenceTicks(): Ticks | null {
    if (this.book !== null && this.book.bidTicks > 0 && this.book.bidTicks < this.book.askTicks)
      return Math.round((this.book.bidTicks + this.book.askTicks) / 2);
    return this.markTicks;
  }

  private notionals(exposure: Exposure, priceTicks: Ticks): { position: Money; worstLong: Money; worstShort: Money } {
    return {
      position: signedNotional(this.instrument, priceTicks, exposure.positionSteps),
      worstLong: signedNotional(this.instrument, priceTicks, exposure.worstLongSteps),
      worstShort: signedNotional(this.instrument, priceTicks, exposure.worstShortSteps),
    };
  }

  private riskRatio(exposure: Exposure, priceTicks: Ticks): number {
    const n = this.notionals(exposure, priceTicks);
    const absPosition = n.position < 0n ? -n.position : n.position;
    const worst = n.worstLong > n.worstShort ? n.worstLong : n.worstShort;
    return Math.max(Number(absPosition) / Number(this.params.hardPositionNotional), Number(worst) / Number(this.params.maxWorstCaseNotional));
  }

  private skewBps(referenceTicks: Ticks, exposure: Exposure): number {
    const positionNotional = signedNotional(this.instrument, referenceTicks, exposure.positionSteps);
    return (
      inventorySkewBps(positionNotional, this.params.softPositionNotional, this.params.inventorySkewBps) +
      fundingSkewBps(this.predictedFundingRate, this.params.fundingSkewFactor)
    );
  }

  private applicableSuppressions(nowMs: number): Set<SuppressionReason> {
    const reasons = new Set<SuppressionReason>();
    if (this.external === 'stopping') reasons.add('stopping');
    if (this.shadow) reasons.add('shadow');
    // In shadow mode nothing is sent, so there is nothing to reconcile before deciding.
    if (!this.reconciled && !this.shadow) reasons.add('not_reconciled');
    if (!this.eventLogHealthy) reasons.add('event_log_unwritable');
    if (!this.deadmanArmed) reasons.add('deadman_unarmed');
    if (!this.marketConnected || !this.userConnected) reasons.add('ws_disconnected');
    if (this.book === null) reasons.add('no_book');
    else if (nowMs - this.bookReceivedAtMs > this.params.staleBookMs) reasons.add('stale_book');
    else if (this.book.bidTicks <= 0 || this.book.bidTicks >= this.book.askTicks) reasons.add('crossed_book');
    if (this.edge.isFrozen()) reasons.add('frozen');
    if (this.risk.state === 2) reasons.add('hard_reduce');
    if (this.external === 'rate_limited') reasons.add('rate_limited');
    return reasons;
  }

  private suppressionDetail(reason: SuppressionReason, nowMs: number): string | null {
    switch (reason) {
      case 'ws_disconnected':
        return [this.marketConnected ? null : 'market', this.userConnected ? null : 'user'].filter((s) => s !== null).join(',');
      case 'stale_book':
        return this.book === null ? null : `no book update for ${nowMs - this.bookReceivedAtMs} ms`;
      case 'crossed_book':
        return this.book === null ? null : `bid ${this.instrument.formatPrice(this.book.bidTicks)}, ask ${this.instrument.formatPrice(this.book.askTicks)}`;
      case 'frozen':
        return `edge ${this.edge.averageBps()?.toFixed(2) ?? 'n/a'} bps < ${this.params.minEdgeBps}`;
      case 'hard_reduce':
        return `position ${this.instrument.formatQty(this.inventory.positionSteps)}`;
      default:
        return null;
    }
  }

  /** Returns the wanted orders by slot, in placing order: bids, asks, force, grind. */
  private targets(
    ladder: Ladder | null,
    book: BookTop | null,
    quotesAllowed: boolean,
    placesAllowed: boolean,
    skipped: SkippedOrder[],
  ): Map<string, OrderTarget> {
    const targets = new Map<string, OrderTarget>();
    const position = this.inventory.positionSteps;
    const state = this.risk.state;
    if (ladder !== null && quotesAllowed && state < 2) {
      const reducing: Side | null = position > 0 ? 'SELL' : position < 0 ? 'BUY' : null;
      const sides: Side[] = state === 0 ? ['BUY', 'SELL'] : reducing === null ? [] : [reducing];
      const baseQty = state === 0 ? this.params.orderQtySteps : Math.max(1, Math.floor(this.params.orderQtySteps * this.params.softReduceSizeFactor));
      for (const side of sides) {
        const prices = side === 'BUY' ? ladder.bids : ladder.asks;
        prices.forEach((priceTicks, level) => {
          const slot = quoteSlot(side, level);
          const qtySteps = sizeForMinNotional(this.instrument, priceTicks, baseQty);
          if (qtySteps === null) skipped.push({ slot, side, reason: 'above_max_qty' });
          else targets.set(slot, { slot, side, priceTicks, qtySteps, reduceOnly: false, purpose: 'quote' });
        });
      }
    }
    if (book !== null && placesAllowed && state === 2 && position !== 0) {
      const side: Side = position > 0 ? 'SELL' : 'BUY';
      const priceTicks = side === 'SELL' ? book.askTicks : book.bidTicks;
      const qtySteps = Math.min(this.params.reduceOnlyClipSteps, Math.abs(position));
      targets.set('force', { slot: 'force', side, priceTicks, qtySteps, reduceOnly: true, purpose: 'reduce_only_force' });
    }
    if (book !== null && placesAllowed && this.params.grindEnabled && state < 2 && position !== 0) {
      const clip = grindClip(this.instrument, {
        positionSteps: position,
        costBasisTickSteps: this.inventory.costBasisTickSteps,
        cycleNet: this.inventory.cycleNet,
        minProfitBps: this.params.grindMinProfitBps,
        clipSteps: this.params.grindClipSteps,
        normalQuoteTicks: ladder === null ? null : ((position > 0 ? ladder.asks[0] : ladder.bids[0]) ?? null),
        bestBidTicks: book.bidTicks,
        bestAskTicks: book.askTicks,
      });
      if (clip !== null)
        targets.set('grind', { slot: 'grind', side: clip.side, priceTicks: clip.priceTicks, qtySteps: clip.qtySteps, reduceOnly: true, purpose: 'grind' });
    }
    return targets;
  }

  private pushQuoteDecided(
    events: DomainEvent[],
    book: BookTop | null,
    targets: Map<string, OrderTarget>,
    skew: number,
    reported: SuppressionReason | null,
  ): void {
    const bid = targets.get(quoteSlot('BUY', 0));
    const ask = targets.get(quoteSlot('SELL', 0));
    const fields = {
      symbol: this.symbol,
      mid: book === null ? null : this.instrument.formatFractionalPrice(BigInt(book.bidTicks + book.askTicks), 2n, 1),
      bid: bid === undefined ? null : this.instrument.formatPrice(bid.priceTicks),
      ask: ask === undefined ? null : this.instrument.formatPrice(ask.priceTicks),
      bid_qty: bid === undefined ? null : this.instrument.formatQty(bid.qtySteps),
      ask_qty: ask === undefined ? null : this.instrument.formatQty(ask.qtySteps),
      skew_bps: Math.round(skew * 100) / 100,
      risk_state: this.risk.state,
      suppressed: reported,
    };
    const key = JSON.stringify(fields);
    if (key === this.lastDecidedKey) return;
    this.lastDecidedKey = key;
    events.push(domainEvent('quote_decided', { ...fields, decision_id: `${this.sessionId}-${this.decisionCount}` }));
  }

  /**
   * Returns cancels then places. A slot holds at most one live order; an order in flight,
   * ambiguous or with a cancel pending blocks its slot. Quote places must keep the side's worst
   * case within its limit (cut, or skipped when the cut breaks the exchange minimums).
   */
  private commandsFor(
    targets: Map<string, OrderTarget>,
    placesAllowed: boolean,
    reported: SuppressionReason | null,
    referenceTicks: Ticks | null,
    exposure: Exposure,
    nowMs: number,
    events: DomainEvent[],
    skipped: SkippedOrder[],
  ): OrderCommand[] {
    const limit = this.params.maxWorstCaseNotional;
    const headroomAtStart = (side: Side): Steps =>
      referenceTicks === null ? 0 : headroomSteps(this.instrument, referenceTicks, side === 'BUY' ? exposure.worstLongSteps : exposure.worstShortSteps, limit);
    const cancels: OrderCommand[] = [];
    for (const order of this.tracker.active()) {
      if (order.state !== 'open' || order.cancelPending) continue;
      // Risk-reducing orders keep resting while we cannot act on them.
      if (!placesAllowed && order.purpose !== 'quote') continue;
      const target = order.slot === null ? undefined : targets.get(order.slot);
      let reason: string | null = null;
      if (order.slot === null) reason = 'orphan';
      else if (target === undefined) reason = reported ?? (this.risk.state > 0 ? `risk_state_${this.risk.state}` : 'not_needed');
      else if (!this.keeps(order, target, headroomAtStart(order.side))) reason = 'requote';
      if (reason === null) continue;
      this.tracker.markCancelSent(order.clientOrderId);
      cancels.push({ kind: 'cancel', cancel: { symbol: this.symbol, clientOrderId: order.clientOrderId }, reason });
    }
    const places: OrderCommand[] = [];
    if (!placesAllowed) return cancels;
    let worstLong = exposure.worstLongSteps;
    let worstShort = exposure.worstShortSteps;
    for (const target of targets.values()) {
      if (this.tracker.inSlot(target.slot) !== undefined || this.rejections.blocked(target.slot, nowMs)) continue;
      let qtySteps = target.qtySteps;
      if (!target.reduceOnly) {
        const worst = target.side === 'BUY' ? worstLong : worstShort;
        const headroom = referenceTicks === null ? 0 : headroomSteps(this.instrument, referenceTicks, worst, limit);
        if (qtySteps > headroom) {
          qtySteps = headroom;
          if (!meetsMinimums(this.instrument, target.priceTicks, qtySteps)) {
            skipped.push({ slot: target.slot, side: target.side, reason: 'worst_case_limit' });
            continue;
          }
        }
      }
      const order: PlaceOrder = {
        symbol: this.symbol,
        side: target.side,
        type: 'LIMIT',
        priceTicks: target.priceTicks,
        qtySteps,
        timeInForce: 'GTX',
        reduceOnly: target.reduceOnly,
        clientOrderId: this.ids.next(TAGS[target.purpose]),
      };
      this.tracker.registerPlace(order, target.purpose, target.slot, nowMs);
      if (target.side === 'BUY') worstLong += qtySteps;
      else worstShort += qtySteps;
      places.push({ kind: 'place', order, purpose: target.purpose });
      this.pushPlacedPurposeEvent(events, order, target.purpose);
    }
    return [...cancels, ...places];
  }

  /**
   * Returns true when a resting order still serves its slot: same side, price within the requote
   * tolerance, and (for quotes) the target size, or a smaller size that the worst-case limit would
   * not let grow anyway.
   */
  private keeps(order: TrackedOrderView, target: OrderTarget, headroom: Steps): boolean {
    if (order.side !== target.side || order.reduceOnly !== target.reduceOnly) return false;
    if (Math.abs(order.priceTicks - target.priceTicks) > this.params.requoteToleranceTicks) return false;
    if (order.reduceOnly) return true;
    if (order.qtySteps === target.qtySteps) return true;
    return order.qtySteps < target.qtySteps && headroom < target.qtySteps - order.qtySteps;
  }

  private pushPlacedPurposeEvent(events: DomainEvent[], order: PlaceOrder, purpose: OrderPurpose): void {
    const price = this.instrument.formatPrice(order.priceTicks ?? 0);
    const qty = this.instrument.formatQty(order.qtySteps);
    if (purpose === 'reduce_only_force') {
      this.reduceOnlyForceCount += 1;
      events.push(
        domainEvent(
          'reduce_only_force',
          { symbol: this.symbol, side: order.side, qty, price, client_id: order.clientOrderId, error: null },
          order.clientOrderId,
        ),
      );
    } else if (purpose === 'grind') {
      this.grindingCount += 1;
      events.push(
        domainEvent(
          'grinding',
          { symbol: this.symbol, side: order.side, qty, price, entry_price: this.inventory.averageEntryPrice(), client_id: order.clientOrderId },
          order.clientOrderId,
        ),
      );
    }
  }

  private outcomeEvents(effect: OutcomeEffect, via: 'place' | 'cancel' | 'query', backoffMs = 0): DomainEvent[] {
    switch (effect.kind) {
      case 'none':
        return [];
      case 'placed': {
        const o = effect.order;
        return [
          domainEvent(
            'order_placed',
            {
              symbol: this.symbol,
              client_id: o.clientOrderId,
              order_id: effect.orderId,
              side: o.side,
              price: this.instrument.formatPrice(o.priceTicks),
              qty: this.instrument.formatQty(o.qtySteps),
            },
            o.clientOrderId,
          ),
        ];
      }
      case 'rejected':
        return [
          domainEvent(
            'order_rejected',
            {
              symbol: this.symbol,
              client_id: effect.order.clientOrderId,
              side: effect.order.side,
              reason: effect.reason,
              code: effect.code,
              source: effect.source,
              backoff_ms: backoffMs,
            },
            effect.order.clientOrderId,
          ),
        ];
      case 'ambiguous':
        return [
          domainEvent(
            'order_ambiguous',
            { symbol: this.symbol, client_id: effect.order.clientOrderId, side: effect.order.side, reason: effect.reason },
            effect.order.clientOrderId,
          ),
        ];
      case 'settled':
        return [
          domainEvent('order_settled', { symbol: this.symbol, client_id: effect.order.clientOrderId, status: effect.status, via }, effect.order.clientOrderId),
        ];
    }
  }

  private positionEvent(reason: string): DomainEvent {
    const valuation = this.markTicks ?? this.referenceTicks();
    return domainEvent('position_update', {
      symbol: this.symbol,
      position: this.instrument.formatQty(this.inventory.positionSteps),
      entry_price: this.inventory.averageEntryPrice(),
      pnl: formatMoney(this.inventory.realizedPnl),
      unrealized_pnl: formatMoney(valuation === null ? 0n : this.inventory.unrealizedPnl(valuation)),
      reason,
    });
  }

  private fundingEvent(fee: Money | null): DomainEvent {
    return domainEvent('funding_update', {
      symbol: this.symbol,
      rate: this.fundingRate ?? this.predictedFundingRate ?? '0',
      predicted_rate: this.predictedFundingRate ?? '0',
      accum_pnl: formatMoney(this.inventory.fundingAccum),
      funding_fee: fee === null ? null : formatMoney(fee),
      next_funding_time: this.nextFundingTimeMs,
    });
  }
}
