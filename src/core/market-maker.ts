/**
 * The market maker for one symbol: joins market data, order updates and the risk rules into
 * decisions. Pure: time comes in as `nowMs`, and every outcome leaves as returned commands and
 * domain events. The rules are described in src/core/README.md.
 *
 * Its parts live beside it: the quote plan (quote-plan.ts: targets and commands), the ledger
 * (ledger.ts: fills, funding, the venue's position), the order tracker (order-tracker.ts,
 * order-reconciliation.ts), the quoting conditions (quoting-conditions.ts) and the events
 * (market-maker-events.ts). What stays here is the wiring of one decision, read top to bottom in
 * `decide`, and the entry points the runner calls; at about 570 lines it is kept whole so that
 * every input of a decision is visible in one file.
 */
import { ClientOrderIds, isOurClientOrderId, type ClientOrderTag } from './client-order-ids.ts';
import { EdgeMonitor, fillEdgeBps } from './edge-monitor.ts';
import { Quantity } from './event-values.ts';
import { domainEvent, type EventDraft } from './events.ts';
import { notionals, riskRatio, signedNotional, worstCase, type Exposure, type Notionals } from './exposure.ts';
import { resolveGridParams, type GridParams } from './grid-params.ts';
import { maxTicks, midTicks, minTicks, type Instrument, type Ticks } from './instrument.ts';
import { fillOfTrade, fillOfUpdate, Ledger, type FillRecord, type FillSource } from './ledger.ts';
import {
  AMBIGUOUS_QUERY_GRACE_MS,
  EDGE_FREEZE_REASON,
  type Decision,
  type MarketMakerOptions,
  type MarketMakerView,
  type OrderCommand,
} from './market-maker-types.ts';
import {
  edgeFreezeEvents,
  fundingEvent,
  orderFilledEvent,
  orderSettledEvent,
  orderUpdateEvent,
  outcomeEvents,
  positionEvent,
  purposeEvent,
  quoteDecidedFields,
  riskTransitionEvents,
} from './market-maker-events.ts';
import {
  isFinalStatus,
  snapshotOfUpdate,
  type AccountUpdate,
  type BookTop,
  type CancelOrder,
  type CommandOutcome,
  type FundingPayment,
  type MarkPriceUpdate,
  type OrderSnapshot,
  type OrderUpdate,
  type PlaceOrder,
  type PositionSnapshot,
  type UserTrade,
} from './model.ts';
import { reconcileOrders } from './order-reconciliation.ts';
import { OrderTracker, type OrderPurpose, type TrackedOrderView } from './order-tracker.ts';
import type { StrategyParams } from './params.ts';
import { QuotingConditions } from './quoting-conditions.ts';
import { planCommands, planTargets, quoteSlot, type OrderTarget, type SkippedOrder } from './quote-plan.ts';
import { fundingSkewBps, inventorySkewBps, quoteLadder } from './quoting.ts';
import { RejectionBackoff } from './rejection-backoff.ts';
import { RiskMachine } from './risk.ts';
import { blocksRiskReducing, reportedReason, SuppressionReporter, type SuppressionReason } from './suppression.ts';

export type { OrderPurpose } from './order-tracker.ts';
export type { RiskState } from './risk.ts';
export type { SuppressionReason } from './suppression.ts';
export type { SkippedOrder } from './quote-plan.ts';
export type { Decision, MarketMakerOptions, MarketMakerView, OrderCommand } from './market-maker-types.ts';
export { AMBIGUOUS_QUERY_GRACE_MS, EDGE_FREEZE_REASON, RISK_LIMIT_FREEZE } from './market-maker-types.ts';

const TAGS: Record<OrderPurpose, ClientOrderTag> = { quote: 'q', reduce_only_force: 'r', grind: 'g' };

export class MarketMaker {
  readonly symbol: string;
  private readonly instrument: Instrument;
  private readonly params: GridParams;
  private readonly shadow: boolean;
  private readonly prefix: string;
  private readonly sessionId: string;
  private readonly ids: ClientOrderIds;
  private readonly tracker = new OrderTracker();
  private readonly ledger: Ledger;
  private readonly risk: RiskMachine;
  private readonly edge: EdgeMonitor;
  private readonly suppression = new SuppressionReporter();
  private readonly conditions = new QuotingConditions();
  private readonly rejections = new RejectionBackoff();
  private reconcileCount = 0;
  private readonly notFoundAfterMs: number;
  private markTicks: Ticks | null = null;
  private lastDecidedKey: string | null = null;
  private decisionCount = 0;
  private shadowBid: Ticks | null = null;
  private shadowAsk: Ticks | null = null;
  private grindingCount = 0;
  private reduceOnlyForceCount = 0;
  /** Freezes so far (edge or risk limit): risk_freeze's freezes_total. */
  private freezeCount = 0;

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
    this.ledger = new Ledger(instrument);
    this.risk = new RiskMachine(this.params);
    this.edge = new EdgeMonitor(this.params.edgeWindowFills, this.params.minEdgeBps, this.params.freezeCooldownMs);
  }

  /**
   * Takes a new best bid/offer, received at `nowMs` (our clock). Frames are taken in the order
   * they arrive: one connection delivers them in the venue's order and a reconnect discards the
   * book, so a backwards or absurd update id (a corrupt frame) must not make later ones look old.
   */
  onBookTop(top: BookTop, nowMs: number): void {
    if (top.symbol === this.symbol) this.conditions.onBookTop(top, nowMs);
  }

  /** Takes mark price and funding; returns funding_update when the rate changes or settles. */
  onMarkPrice(update: MarkPriceUpdate, _nowMs: number): EventDraft[] {
    if (update.symbol !== this.symbol) return [];
    this.markTicks = this.instrument.priceToTicks(update.markPrice, 'nearest');
    return this.ledger.updateFundingRate(update.fundingRate, update.nextFundingTimeMs) ? [fundingEvent(this.symbol, this.ledger, null, 'mark_price')] : [];
  }

  /** Records a stream's state; a dropped market stream discards the book (a fresh one is needed). */
  onStreamState(stream: 'market' | 'user', connected: boolean, _nowMs: number): EventDraft[] {
    this.conditions.onStreamState(stream, connected);
    return [];
  }

  /**
   * Applies an ORDER_TRADE_UPDATE; returns order_update, order_settled, order_filled and
   * position_update as they apply. Duplicates and stale updates return nothing.
   */
  onOrderUpdate(update: OrderUpdate, nowMs: number): EventDraft[] {
    if (update.symbol !== this.symbol) return [];
    const isTrade = update.execution === 'TRADE' && update.lastFilledSteps > 0;
    const newTrade = isTrade && this.tracker.recordTrade(update.tradeId);
    let adopted = false;
    if (!this.tracker.knows(update.clientOrderId) && isOurClientOrderId(this.prefix, update.clientOrderId) && !isFinalStatus(update.status)) {
      this.tracker.adopt(snapshotOfUpdate(update), nowMs);
      adopted = true;
    } else if (this.tracker.reviveAsOrphan(snapshotOfUpdate(update))) {
      // Written off as not found, yet live at the venue: it must be cancelled, not forgotten.
      adopted = true;
    }
    const effect = this.tracker.applyUpdate(update, newTrade);
    if (!effect.changed && !adopted) return [];
    const id = update.clientOrderId;
    const events = [orderUpdateEvent(this.instrument, update, this.tracker.pendingSteps('BUY'), this.tracker.pendingSteps('SELL'))];
    if (effect.settledFromAmbiguous) events.push(orderSettledEvent(this.symbol, id, update.status, 'user_stream'));
    if (newTrade) {
      events.push(...this.applyFill(fillOfUpdate(update), 'user_stream', effect.order !== null));
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
  applyMissedTrades(trades: readonly UserTrade[], _nowMs: number): EventDraft[] {
    const events: EventDraft[] = [];
    const ours = this.tracker.byVenueOrderId();
    for (const trade of [...trades].sort((a, b) => a.tradeId - b.tradeId)) {
      if (trade.symbol !== this.symbol || trade.qtySteps <= 0) continue;
      const order = ours.get(trade.orderId);
      if (order === undefined || !this.tracker.recordTrade(trade.tradeId)) continue;
      const id = order.clientOrderId;
      const effect = this.tracker.applyHistoricalTrade(id, trade.qtySteps);
      events.push(...this.applyFill(fillOfTrade(trade, id, effect?.order.status === 'FILLED'), 'backfill', true));
      if (effect?.filled === true) events.push(orderSettledEvent(this.symbol, id, 'FILLED', 'backfill'));
    }
    return events;
  }

  /**
   * Applies funding payments read from the income history (paid while the user stream was down):
   * each income id once, in the margin asset only. The caller leaves out payments the user stream
   * delivered. Returns funding_update (`via: "income"`) per payment recorded.
   */
  applyMissedFunding(payments: readonly FundingPayment[], _nowMs: number): EventDraft[] {
    const events: EventDraft[] = [];
    for (const payment of payments) {
      if (payment.symbol !== this.symbol || payment.asset !== this.instrument.spec.marginAsset || payment.amount === 0n) continue;
      if (this.ledger.recordRecoveredFunding(payment)) events.push(fundingEvent(this.symbol, this.ledger, payment.amount, 'income'));
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
  onAccountUpdate(update: AccountUpdate, _nowMs: number): EventDraft[] {
    const events: EventDraft[] = [];
    const ours = update.positions.filter((p) => p.symbol === this.symbol && p.positionSide === 'BOTH');
    if (update.reason === 'FUNDING_FEE' && (update.positions.length === 0 || ours.length > 0)) {
      for (const balance of update.balances) {
        if (balance.asset !== this.instrument.spec.marginAsset || balance.balanceChange === 0n) continue;
        this.ledger.recordFunding(balance.balanceChange);
        events.push(fundingEvent(this.symbol, this.ledger, balance.balanceChange, 'user_stream'));
      }
    }
    for (const p of ours) {
      if (this.ledger.crossCheck(p.amountSteps)) events.push(this.positionEvent(`venue_reports_${this.instrument.formatQty(p.amountSteps)}`));
    }
    return events;
  }

  /** Returns what to send now, with the events of this decision. */
  decide(nowMs: number): Decision {
    const events: EventDraft[] = [];
    this.decisionCount += 1;
    for (const change of this.edge.update(nowMs)) {
      if (change.kind === 'triggered') this.freezeCount += 1;
      events.push(...edgeFreezeEvents(this.symbol, change, this.params.minEdgeBps, this.freezeCount));
    }
    const referenceTicks = this.referenceTicks();
    const exposure = this.exposure();
    if (referenceTicks !== null) {
      const valued = notionals(this.instrument, exposure, referenceTicks);
      for (const t of this.risk.evaluate({
        positionNotionalAbs: valued.position < 0n ? -valued.position : valued.position,
        worstLongNotional: valued.worstLong,
        worstShortNotional: valued.worstShort,
      })) {
        if (t.to === 2) this.freezeCount += 1;
        events.push(...riskTransitionEvents(this.symbol, t, valued, this.riskRatio(valued), this.freezeCount));
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
    const usable = !applicable.has('no_book') && !applicable.has('stale_book') && !applicable.has('crossed_book');
    const book = usable ? this.conditions.book : null;
    const skew = referenceTicks === null ? 0 : this.skewBps(referenceTicks, exposure);
    const ladder = book === null ? null : quoteLadder(this.instrument, book.bidTicks, book.askTicks, this.params, skew);
    const skipped: SkippedOrder[] = [];
    const inventory = this.ledger.inventory;
    const targets = planTargets(
      {
        instrument: this.instrument,
        params: this.params,
        ladder,
        book,
        quotesAllowed,
        placesAllowed,
        riskState: this.risk.state,
        positionSteps: inventory.positionSteps,
        costBasisTickSteps: inventory.costBasisTickSteps,
        cycleNet: inventory.cycleNet,
      },
      skipped,
    );
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
  onPlaceOutcome(order: PlaceOrder, outcome: CommandOutcome<OrderSnapshot>, nowMs: number, latencyMs: number | null = null): EventDraft[] {
    const slot = this.tracker.get(order.clientOrderId)?.slot ?? null;
    const effect = this.tracker.applyPlaceOutcome(order.clientOrderId, outcome, nowMs);
    let backoffMs = 0;
    if (slot !== null && effect.kind === 'placed') this.rejections.accepted(slot);
    if (slot !== null && effect.kind === 'rejected') {
      const rateLimited = outcome.kind === 'rejected' && (outcome.httpStatus === 429 || outcome.httpStatus === 418);
      if (!rateLimited) backoffMs = this.rejections.rejected(slot, effect.code ?? 0, nowMs);
    }
    return outcomeEvents(this.instrument, effect, 'place', backoffMs, latencyMs);
  }

  /** Applies the answer to a cancel command; returns order_settled or order_ambiguous when they apply. */
  onCancelOutcome(cancel: CancelOrder, outcome: CommandOutcome<OrderSnapshot>, nowMs: number): EventDraft[] {
    return outcomeEvents(this.instrument, this.tracker.applyCancelOutcome(cancel.clientOrderId, outcome, nowMs), 'cancel');
  }

  /** Settles an ambiguous order from a status query (null: it never existed); returns order_settled. */
  onOrderQuery(clientOrderId: string, snapshot: OrderSnapshot | null, nowMs: number): EventDraft[] {
    return outcomeEvents(this.instrument, this.tracker.applyQuery(clientOrderId, snapshot, nowMs, this.notFoundAfterMs), 'query');
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
  reconcile(openOrders: readonly OrderSnapshot[], position: PositionSnapshot, nowMs: number): { events: EventDraft[]; cancel: CancelOrder[] } {
    const { events, cancel, listed, adopted } = reconcileOrders(this.tracker, this.prefix, this.symbol, openOrders, nowMs);
    if (position.symbol === this.symbol) {
      // After a reconnect the fills the stream missed have been applied from the trade history.
      this.ledger.reconcilePosition(position, this.reconcileCount > 0 && position.amountSteps === this.ledger.inventory.positionSteps);
      events.push(this.positionEvent('reconcile'));
    }
    this.conditions.setReconciled(true);
    this.reconcileCount += 1;
    events.push(
      domainEvent('reconcile_done', {
        symbol: this.symbol,
        open_orders: listed.size,
        adopted,
        cancelled: cancel.length,
        position: new Quantity(this.instrument, this.ledger.inventory.positionSteps),
        trigger: this.reconcileCount === 1 ? 'start' : 'reconnect',
      }),
    );
    return { events, cancel };
  }

  /** Suppresses quoting until the next reconcile() (the user stream dropped). */
  markUnreconciled(): void {
    this.conditions.setReconciled(false);
  }

  /**
   * Records whether the event log can be written. While it cannot, quoting is suppressed
   * (`event_log_unwritable`) and resting quotes are cancelled: no new risk without an audit trail.
   */
  setEventLogHealthy(healthy: boolean): void {
    this.conditions.setEventLogHealthy(healthy);
  }

  /**
   * Records whether the dead-man switch can be trusted to be armed. While it cannot, quoting is
   * suppressed (`deadman_unarmed`) and resting quotes are cancelled: if the process died now,
   * nothing would cancel them. Risk-reducing orders may continue.
   */
  setDeadmanArmed(armed: boolean): void {
    this.conditions.setDeadmanArmed(armed);
  }

  /** Sets (or with null clears) the runner's own suppression. */
  setSuppressed(reason: 'rate_limited' | 'stopping' | null): void {
    this.conditions.setExternal(reason);
  }

  /** Returns the numbers the runner reports as metrics, snapshots and readiness. */
  view(_nowMs: number): MarketMakerView {
    const exposure = this.exposure();
    const referenceTicks = this.referenceTicks();
    const valued = referenceTicks === null ? { position: 0n, worstLong: 0n, worstShort: 0n } : notionals(this.instrument, exposure, referenceTicks);
    const book = this.conditions.book;
    const quotes = this.tracker.active().filter((o) => o.purpose === 'quote' && o.state === 'open');
    const bids = quotes.filter((o) => o.side === 'BUY').map((o) => o.priceTicks);
    const asks = quotes.filter((o) => o.side === 'SELL').map((o) => o.priceTicks);
    const valuation = this.markTicks ?? referenceTicks;
    const { inventory } = this.ledger;
    return {
      symbol: this.symbol,
      midTicks: book === null ? null : midTicks(book.bidTicks, book.askTicks),
      bestBidTicks: book?.bidTicks ?? null,
      bestAskTicks: book?.askTicks ?? null,
      ourBidTicks: this.shadow ? this.shadowBid : bids.length > 0 ? bids.reduce(maxTicks) : null,
      ourAskTicks: this.shadow ? this.shadowAsk : asks.length > 0 ? asks.reduce(minTicks) : null,
      positionSteps: exposure.positionSteps,
      pendingBuySteps: exposure.pendingBuySteps,
      pendingSellSteps: exposure.pendingSellSteps,
      worstLongSteps: exposure.worstLongSteps,
      worstShortSteps: exposure.worstShortSteps,
      worstLongNotional: valued.worstLong,
      worstShortNotional: valued.worstShort,
      positionNotional: valued.position,
      riskState: this.risk.state,
      riskRatio: referenceTicks === null ? 0 : this.riskRatio(valued),
      frozenReason: this.edge.isFrozen() ? EDGE_FREEZE_REASON : null,
      suppressed: this.suppression.reason,
      edgeBps: this.edge.averageBps(),
      realizedPnl: inventory.realizedPnl,
      unrealizedPnl: valuation === null ? 0n : inventory.unrealizedPnl(valuation),
      fees: inventory.fees,
      fundingAccum: inventory.fundingAccum,
      fundingRate: this.ledger.fundingRate,
      predictedFundingRate: this.ledger.predictedFundingRate,
      entryPrice: inventory.averageEntryPrice(),
      openOrders: this.tracker.count('open'),
      inFlight: this.tracker.count('in_flight'),
      ambiguous: this.tracker.count('ambiguous'),
      grindingCount: this.grindingCount,
      reduceOnlyForceCount: this.reduceOnlyForceCount,
      venuePositionMismatchSteps: this.ledger.venuePositionMismatch,
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
   * Records one new fill in the ledger; returns order_filled and position_update. Only live fills
   * feed the edge monitor: a fill read back from the trade history is judged against today's mid.
   */
  private applyFill(fill: FillRecord, via: FillSource, ours: boolean): EventDraft[] {
    const realized = this.ledger.recordFill(fill);
    const book = this.conditions.book;
    if (ours && via === 'user_stream' && book !== null) {
      const mid = (book.bidTicks + book.askTicks) / 2;
      this.edge.record(fillEdgeBps(fill.side, fill.priceTicks, mid, fill.isMaker ? this.params.makerFeeBps : this.params.takerFeeBps));
    }
    return [orderFilledEvent(this.instrument, fill, realized, via), this.positionEvent(via === 'user_stream' ? 'fill' : 'fill_backfill')];
  }

  private exposure(): Exposure {
    return worstCase(this.ledger.inventory.positionSteps, this.tracker.pendingSteps('BUY'), this.tracker.pendingSteps('SELL'));
  }

  /** The price exposure is valued at: the book's mid (rounded), else the mark price. */
  private referenceTicks(): Ticks | null {
    const book = this.conditions.book;
    if (book !== null && book.bidTicks > 0 && book.bidTicks < book.askTicks) return midTicks(book.bidTicks, book.askTicks);
    return this.markTicks;
  }

  private riskRatio(valued: Notionals): number {
    return riskRatio(valued, this.params.hardPositionNotional, this.params.maxWorstCaseNotional);
  }

  private skewBps(referenceTicks: Ticks, exposure: Exposure): number {
    const positionNotional = signedNotional(this.instrument, referenceTicks, exposure.positionSteps);
    return (
      inventorySkewBps(positionNotional, this.params.softPositionNotional, this.params.inventorySkewBps) +
      fundingSkewBps(this.ledger.predictedFundingRate, this.params.fundingSkewFactor)
    );
  }

  private applicableSuppressions(nowMs: number): Set<SuppressionReason> {
    return this.conditions.applicable(nowMs, {
      shadow: this.shadow,
      staleBookMs: this.params.staleBookMs,
      edgeFrozen: this.edge.isFrozen(),
      riskState: this.risk.state,
    });
  }

  private suppressionDetail(reason: SuppressionReason, nowMs: number): string | null {
    if (reason === 'frozen') return `edge ${this.edge.averageBps()?.toFixed(2) ?? 'n/a'} bps < ${this.params.minEdgeBps}`;
    if (reason === 'hard_reduce') return `position ${this.instrument.formatQty(this.ledger.inventory.positionSteps)}`;
    return this.conditions.detail(reason, nowMs, this.instrument);
  }

  private pushQuoteDecided(
    events: EventDraft[],
    book: BookTop | null,
    targets: Map<string, OrderTarget>,
    skew: number,
    reported: SuppressionReason | null,
  ): void {
    const bid = targets.get(quoteSlot('BUY', 0));
    const ask = targets.get(quoteSlot('SELL', 0));
    const fields = quoteDecidedFields(this.instrument, book, bid, ask, skew, this.risk.state, reported);
    const key = JSON.stringify(fields);
    if (key === this.lastDecidedKey) return;
    this.lastDecidedKey = key;
    events.push(domainEvent('quote_decided', { ...fields, decision_id: `${this.sessionId}-${this.decisionCount}` }));
  }

  /** Plans the commands (quote-plan.ts) and records them in the tracker: cancels first, then places. */
  private commandsFor(
    targets: Map<string, OrderTarget>,
    placesAllowed: boolean,
    reported: SuppressionReason | null,
    referenceTicks: Ticks | null,
    exposure: Exposure,
    nowMs: number,
    events: EventDraft[],
    skipped: SkippedOrder[],
  ): OrderCommand[] {
    const plan = planCommands(
      targets,
      {
        instrument: this.instrument,
        params: this.params,
        active: this.tracker.active(),
        inSlot: (slot) => this.tracker.inSlot(slot),
        slotBlocked: (slot) => this.rejections.blocked(slot, nowMs),
        placesAllowed,
        reported,
        riskState: this.risk.state,
        referenceTicks,
        exposure,
      },
      skipped,
    );
    const commands: OrderCommand[] = [];
    for (const { clientOrderId, reason } of plan.cancels) {
      this.tracker.markCancelSent(clientOrderId);
      commands.push({ kind: 'cancel', cancel: { symbol: this.symbol, clientOrderId }, reason });
    }
    for (const { target, qtySteps } of plan.places) {
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
      commands.push({ kind: 'place', order, purpose: target.purpose });
      if (target.purpose === 'reduce_only_force') this.reduceOnlyForceCount += 1;
      if (target.purpose === 'grind') this.grindingCount += 1;
      const purposeEvent_ = purposeEvent(this.instrument, order, target.purpose, this.ledger.inventory.entryPrice());
      if (purposeEvent_ !== null) events.push(purposeEvent_);
    }
    return commands;
  }

  private positionEvent(reason: string): EventDraft {
    return positionEvent(this.instrument, this.ledger.inventory, this.markTicks ?? this.referenceTicks(), reason);
  }
}
