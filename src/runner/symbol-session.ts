/**
 * One symbol's trading session: its market maker (the core) and its order executor, fed by the
 * venue's events, deciding when its inputs change. A book ticker is decided on at once (tick to
 * order latency beats coalescing); other inputs schedule one coalesced decision per turn of the
 * event loop. A decision that sends something is traced; its commands go to the executor.
 */
import { context } from '@opentelemetry/api';
import type { Clock } from '../core/clock.ts';
import { Amount, Price, Quantity } from '../core/event-values.ts';
import type { EventBus, EventDraft } from '../core/events.ts';
import type { Instrument, Steps } from '../core/instrument.ts';
import type { MarketMaker, OrderCommand } from '../core/market-maker.ts';
import type { AccountUpdate, BookTop, CommandOutcome, MarkPriceUpdate, OrderUpdate } from '../core/model.ts';
import type { Venue } from '../core/venue.ts';
import type { DecisionTracing } from './decision-tracing.ts';
import { OrderExecutor } from './order-executor.ts';

export interface SymbolSessionDeps {
  readonly venue: Venue;
  readonly clock: Clock;
  readonly bus: EventBus;
  readonly decisions: DecisionTracing;
  /** True while decisions may be taken (the runner is running). */
  readonly running: () => boolean;
  /** Told after every decision cycle (the runner counts them). */
  readonly onCycle: () => void;
  /** Told every command outcome (the runner's rate-limit back-off reads them). */
  readonly observe: (outcome: CommandOutcome<unknown>) => void;
}

/** cancel_all_done's trigger for the suppression that cancels every resting quote (the cancel's reason). */
const BULK_CANCEL_TRIGGERS: Readonly<Record<string, string>> = {
  frozen: 'freeze',
  hard_reduce: 'hard_reduce',
  ws_disconnected: 'stream_down',
  not_reconciled: 'stream_down',
  stale_book: 'stale_book',
  no_book: 'stream_down',
  crossed_book: 'crossed_book',
  event_log_unwritable: 'event_log_unwritable',
  deadman_unarmed: 'deadman_unarmed',
  another_instance: 'another_instance',
};

/** Returns the trigger when a decision cancels quotes because quoting stopped, else null. */
function bulkCancelTrigger(commands: readonly OrderCommand[]): string | null {
  for (const command of commands) {
    if (command.kind !== 'cancel') continue;
    const trigger = BULK_CANCEL_TRIGGERS[command.reason];
    if (trigger !== undefined) return trigger;
  }
  return null;
}

export class SymbolSession {
  readonly instrument: Instrument;
  readonly maker: MarketMaker;
  readonly executor: OrderExecutor;
  /** Reconciled with the venue since the user stream last connected. */
  reconciled = false;
  private readonly deps: SymbolSessionDeps;
  private scheduled = false;
  private deciding = false;
  /** User-stream order updates held while missed trades are read back (applied after them). */
  private held: OrderUpdate[] | null = null;

  constructor(instrument: Instrument, maker: MarketMaker, deps: SymbolSessionDeps) {
    this.instrument = instrument;
    this.maker = maker;
    this.deps = deps;
    this.executor = new OrderExecutor({ venue: deps.venue, clock: deps.clock, bus: deps.bus, instrument, maker, observe: deps.observe });
  }

  get symbol(): string {
    return this.instrument.symbol;
  }

  /** Publishes the core's events on the bus, in order. */
  publish(events: Iterable<EventDraft>): void {
    for (const event of events) this.deps.bus.publish(event);
  }

  /** Takes a book ticker and decides at once. */
  onBookTop(top: BookTop): void {
    this.maker.onBookTop(top, this.deps.clock.nowMs());
    this.decideNow();
  }

  onMarkPrice(update: MarkPriceUpdate): void {
    this.publish(this.maker.onMarkPrice(update, this.deps.clock.nowMs()));
  }

  /** Applies an order update, or holds it while a reconciliation reads back missed trades. */
  onOrderUpdate(update: OrderUpdate): void {
    if (this.held !== null) {
      this.held.push(update);
      return;
    }
    this.publish(this.maker.onOrderUpdate(update, this.deps.clock.nowMs()));
    this.schedule();
  }

  onAccountUpdate(update: AccountUpdate): void {
    this.publish(this.maker.onAccountUpdate(update, this.deps.clock.nowMs()));
    this.schedule();
  }

  /** Holds live order updates until `releaseHeld` (fills then apply in the venue's order). */
  holdUpdates(): void {
    this.held ??= [];
  }

  /** Applies the order updates held meanwhile, in arrival order. */
  releaseHeld(): void {
    const held = this.held;
    this.held = null;
    if (held === null) return;
    for (const update of held) this.publish(this.maker.onOrderUpdate(update, this.deps.clock.nowMs()));
  }

  /** Coalesces decision requests: at most one pending cycle per symbol. */
  schedule(): void {
    if (this.scheduled || !this.deps.running()) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.cycle();
    });
  }

  /** Decides now (not re-entrantly: a tick arriving during a decision waits for the next). */
  private decideNow(): void {
    if (!this.deps.running() || this.deciding) return;
    this.deciding = true;
    try {
      this.cycle();
    } finally {
      this.deciding = false;
    }
  }

  private cycle(): void {
    if (!this.deps.running()) return;
    const startedAt = this.deps.clock.preciseNowMs();
    const decision = this.maker.decide(this.deps.clock.nowMs());
    if (decision.commands.length === 0) {
      this.publish(decision.events);
    } else {
      // Only decisions that send something are traced: book ticks are counted, not traced.
      const traced = this.deps.decisions.start(startedAt, { 'mm.symbol': this.symbol, 'mm.decision.commands': decision.commands.length });
      context.with(traced.context, () => {
        this.publish(decision.events);
        const startedNs = this.deps.clock.monoNs();
        const sent = this.executor.execute(decision.commands);
        const trigger = bulkCancelTrigger(decision.commands);
        void Promise.allSettled(sent).then((settled) => {
          traced.end();
          const outcomes = settled.map((r) => (r.status === 'fulfilled' ? r.value : 'ambiguous'));
          if (trigger !== null) this.reportBulkCancel(decision.commands, outcomes, trigger, startedNs);
          this.schedule();
        });
      });
    }
    this.deps.onCycle();
  }

  /**
   * Reports a decision that cancelled every resting quote because quoting stopped (a freeze, hard
   * reduce, a stream down...) as specification 002's cancel_all_done with its trigger.
   */
  private reportBulkCancel(commands: readonly OrderCommand[], outcomes: readonly string[], trigger: string, startedNs: bigint): void {
    const cancels = commands.flatMap((c, i) => (c.kind === 'cancel' ? [outcomes[i]] : []));
    const failed = cancels.filter((o) => o !== 'accepted').length;
    this.deps.bus.emit('cancel_all_done', {
      symbol: this.symbol,
      cancelled: cancels.length - failed,
      open_orders_left: null,
      duration_ms: Number((this.deps.clock.monoNs() - startedNs) / 1000n) / 1000,
      error: failed === 0 ? null : `${failed} cancel(s) not confirmed`,
      trigger,
    });
  }

  /** Queries the ambiguous orders due for a status query and applies the answers. */
  async settleAmbiguous(): Promise<void> {
    for (const clientOrderId of this.maker.ordersToQuery(this.deps.clock.nowMs())) {
      const outcome = await this.deps.venue.queryOrder(this.symbol, clientOrderId).catch((e: unknown) => ({ kind: 'ambiguous' as const, reason: String(e) }));
      if (outcome.kind === 'accepted') {
        this.publish(this.maker.onOrderQuery(clientOrderId, outcome.value, this.deps.clock.nowMs()));
        this.schedule();
      }
    }
  }

  /** Emits one runner_snapshot. */
  snapshot(): void {
    const v = this.maker.view(this.deps.clock.nowMs());
    const qty = (steps: Steps) => new Quantity(this.instrument, steps);
    this.deps.bus.emit('runner_snapshot', {
      symbol: v.symbol,
      mid: v.midTicks === null ? null : new Price(this.instrument, v.midTicks),
      position: qty(v.positionSteps),
      pending_buy: qty(v.pendingBuySteps),
      pending_sell: qty(v.pendingSellSteps),
      risk_state: v.riskState,
      realized_pnl: new Amount(v.realizedPnl),
      unrealized_pnl: new Amount(v.unrealizedPnl),
      fees: new Amount(v.fees),
      funding_accum: new Amount(v.fundingAccum),
      open_orders: v.openOrders,
      suppressed: v.suppressed,
    });
  }
}
