/**
 * Reconciliation with the venue: at start, and again whenever the user stream comes back (it may
 * have missed fills, funding and order updates). After an outage the fills the stream missed are
 * read back from the trade history and the funding it missed from the income history first (live updates wait meanwhile, so fills apply in the venue's
 * order), then the venue's open orders and position are the truth. A failed reconciliation after
 * start is reported and retried a second later; one at start fails the start.
 */
import { SpanStatusCode, trace } from '@opentelemetry/api';
import type { Clock } from '../core/clock.ts';
import type { EventBus } from '../core/events.ts';
import type { Venue } from '../core/venue.ts';
import { INSTRUMENTATION_SCOPE, SPANS } from '../telemetry/names.ts';
import type { SymbolSession } from './symbol-session.ts';

/**
 * After a user-stream outage the trade history is read from the last user-stream event minus
 * this margin (clock skew, events in flight when the stream died): trade ids make overlap harmless.
 */
export const MISSED_TRADES_MARGIN_MS = 30_000;
/** Wait before a failed reconciliation is tried again, ms. */
export const RECONCILE_RETRY_MS = 1_000;
/**
 * A funding payment in the income history within this of a FUNDING_FEE the user stream delivered
 * is that same payment (funding settles every symbol at the same instant, hours apart).
 */
export const LIVE_FUNDING_MATCH_MS = 1_000;
/** How many times the trade history is read again when the venue's position differs from ours (fills landing meanwhile). */
export const POSITION_CATCH_UP_READS = 3;

export type ReconcileTrigger = 'start' | 'reconnect' | 'retry';

export interface ReconcilerDeps {
  readonly venue: Venue;
  readonly clock: Clock;
  readonly bus: EventBus;
  /** True while the runner runs (no retry, no second pass otherwise). */
  readonly running: () => boolean;
  /** From when trades are ours to count: the later of the session's connect time and the last user-stream event less a margin. */
  readonly missedTradesSinceMs: () => number;
  /** Venue times of the FUNDING_FEE account updates the user stream delivered (any symbol). */
  readonly liveFundingTimes: () => readonly number[];
}

interface PerSession {
  running: Promise<void> | null;
  /** The user stream came back while a reconciliation ran: run another one after it. */
  again: boolean;
}

const tracer = trace.getTracer(INSTRUMENTATION_SCOPE);

/** Returns the Binance code and HTTP status an adapter error carries, when it carries them. */
export function errorCodes(error: unknown): { code: number | null; http_status: number | null } {
  const e = (typeof error === 'object' && error !== null ? error : {}) as { binanceCode?: unknown; httpStatus?: unknown };
  return { code: typeof e.binanceCode === 'number' ? e.binanceCode : null, http_status: typeof e.httpStatus === 'number' ? e.httpStatus : null };
}

export class Reconciler {
  private readonly deps: ReconcilerDeps;
  private readonly state = new Map<SymbolSession, PerSession>();

  constructor(deps: ReconcilerDeps) {
    this.deps = deps;
  }

  /** Reconciles one symbol (one at a time per symbol; a reconnect during one queues another). */
  reconcile(session: SymbolSession, trigger: ReconcileTrigger): Promise<void> {
    const s = this.stateOf(session);
    // A reconciliation already running may have read the venue before this reconnect: the
    // trades and orders of the outage since then need another pass.
    if (s.running !== null && trigger === 'reconnect') s.again = true;
    s.running ??= tracer.startActiveSpan(SPANS.reconcile, { attributes: { 'mm.symbol': session.symbol, 'mm.reconcile.trigger': trigger } }, (span) =>
      this.run(session, trigger)
        .catch((error: unknown) => {
          span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
          throw error;
        })
        .finally(() => {
          span.end();
          s.running = null;
          if (s.again) {
            s.again = false;
            if (this.deps.running()) void this.reconcile(session, 'reconnect');
          }
        }),
    );
    return s.running;
  }

  private stateOf(session: SymbolSession): PerSession {
    let s = this.state.get(session);
    if (s === undefined) {
      s = { running: null, again: false };
      this.state.set(session, s);
    }
    return s;
  }

  private async run(session: SymbolSession, trigger: ReconcileTrigger): Promise<void> {
    const { venue, clock, bus } = this.deps;
    const symbol = session.symbol;
    const backfill = trigger !== 'start';
    if (backfill) session.holdUpdates();
    await session.executor.idle();
    let operation = backfill ? 'userTrades' : 'reconcile';
    try {
      if (backfill) {
        await this.applyMissedTrades(session);
        operation = 'income';
        await this.applyMissedFunding(session);
      }
      operation = 'reconcile';
      let [open, position] = await Promise.all([venue.openOrders(symbol), venue.position(symbol)]);
      // A fill landing between the trade read and the position read is in the venue's position
      // and not yet in ours: read the trades again (each counts once) rather than adopt a
      // position whose realized PnL we would never see.
      for (let read = 0; backfill && read < POSITION_CATCH_UP_READS && position.amountSteps !== session.maker.view(clock.nowMs()).positionSteps; read++) {
        operation = 'userTrades';
        await this.applyMissedTrades(session);
        operation = 'reconcile';
        [open, position] = await Promise.all([venue.openOrders(symbol), venue.position(symbol)]);
      }
      const result = session.maker.reconcile(open, position, clock.nowMs());
      session.publish(result.events);
      session.reconciled = true;
      await Promise.all(result.cancel.map((c) => session.executor.cancel(c, 'reconcile_unknown')));
    } catch (error) {
      bus.emit('exchange_error', { operation: `${operation}:${symbol}`, error: error instanceof Error ? error.message : String(error), ...errorCodes(error) });
      if (trigger === 'start') throw error;
      clock.setTimer(() => {
        if (this.deps.running() && !session.reconciled) void this.reconcile(session, 'retry');
      }, RECONCILE_RETRY_MS);
    } finally {
      session.releaseHeld();
    }
    session.schedule();
  }

  /**
   * Reads the symbol's trades since the last user-stream event (less a margin, never before the
   * session connected) and applies those the stream missed. Ambiguous orders whose venue id is
   * unknown are queried first, since a trade names only the venue's order id. Throws when the
   * trade history cannot be read (the caller reports it and retries).
   */
  private async applyMissedTrades(session: SymbolSession): Promise<void> {
    const { venue, clock } = this.deps;
    for (const clientOrderId of session.maker.ordersWithoutVenueId()) {
      const outcome = await venue.queryOrder(session.symbol, clientOrderId).catch(() => null);
      if (outcome?.kind === 'accepted') session.publish(session.maker.onOrderQuery(clientOrderId, outcome.value, clock.nowMs()));
    }
    const trades = await venue.userTrades(session.symbol, this.deps.missedTradesSinceMs());
    session.publish(session.maker.applyMissedTrades(trades, clock.nowMs()));
  }

  /**
   * Reads the symbol's funding payments over the same window and applies those the user stream
   * did not deliver (each income id once). Throws when the income history cannot be read.
   */
  private async applyMissedFunding(session: SymbolSession): Promise<void> {
    const { venue, clock } = this.deps;
    const live = this.deps.liveFundingTimes();
    const payments = await venue.fundingPayments(session.symbol, this.deps.missedTradesSinceMs());
    const missed = payments.filter((p) => !live.some((t) => Math.abs(t - p.timeMs) <= LIVE_FUNDING_MATCH_MS));
    session.publish(session.maker.applyMissedFunding(missed, clock.nowMs()));
  }
}
