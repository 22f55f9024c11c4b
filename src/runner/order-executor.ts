/**
 * Sends one symbol's order commands to the venue and reports every outcome: the REST call is
 * timed, bracketed by order_submit/order_submit_result (or order_cancel/order_cancel_result),
 * and the outcome is handed back to the core. An order is never re-sent here: an ambiguous
 * outcome stays in the core's tracker until the user stream or a status query settles it.
 */
import type { Clock } from '../core/clock.ts';
import { Price, Quantity } from '../core/event-values.ts';
import type { EventBus } from '../core/events.ts';
import type { Instrument } from '../core/instrument.ts';
import type { MarketMaker, OrderCommand } from '../core/market-maker.ts';
import type { CancelOrder, CommandOutcome, OrderSnapshot, PlaceOrder } from '../core/model.ts';
import type { Venue } from '../core/venue.ts';

/** Called after each command with its outcome (the runner uses it for rate-limit back-off). */
export type OutcomeObserver = (outcome: CommandOutcome<unknown>) => void;

/** Returns milliseconds between two monotonic readings, rounded to microseconds. */
export function elapsedMs(startNs: bigint, endNs: bigint): number {
  return Number((endNs - startNs) / 1000n) / 1000;
}

function outcomeError(outcome: CommandOutcome<unknown>): { error: string | null; code: number | null } {
  switch (outcome.kind) {
    case 'accepted':
      return { error: null, code: null };
    case 'rejected':
      return { error: outcome.reason, code: outcome.code };
    case 'denied':
      return { error: `denied: ${outcome.reason}`, code: null };
    case 'ambiguous':
      return { error: `ambiguous: ${outcome.reason}`, code: null };
  }
}

export class OrderExecutor {
  private readonly venue: Venue;
  private readonly clock: Clock;
  private readonly bus: EventBus;
  private readonly instrument: Instrument;
  private readonly maker: MarketMaker;
  private readonly observe: OutcomeObserver;
  private inFlight = 0;
  private readonly idleWaiters: Array<() => void> = [];

  constructor(deps: { venue: Venue; clock: Clock; bus: EventBus; instrument: Instrument; maker: MarketMaker; observe: OutcomeObserver }) {
    this.venue = deps.venue;
    this.clock = deps.clock;
    this.bus = deps.bus;
    this.instrument = deps.instrument;
    this.maker = deps.maker;
    this.observe = deps.observe;
  }

  /** Returns the number of commands awaiting the venue's answer. */
  pending(): number {
    return this.inFlight;
  }

  /** Resolves when no command is awaiting an answer. */
  idle(): Promise<void> {
    if (this.inFlight === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Sends every command of a decision, all concurrently, in the core's order (cancels first).
   * The first goes at once and the others from the next check phase: undici writes a request on
   * a reused keep-alive socket only from a setImmediate, so signing and dispatching the others
   * now would hold the first, most urgent one back by their whole cost. They count as in flight
   * from now, so idle() (graceful stop, the /metrics gate) waits for them.
   */
  execute(commands: readonly OrderCommand[]): Promise<CommandOutcome<unknown>['kind']>[] {
    const [first, ...rest] = commands;
    if (first === undefined) return [];
    const sent = [this.dispatch(first)];
    if (rest.length === 0) return sent;
    for (let i = 0; i < rest.length; i++) this.begin();
    const nextCheckPhase = new Promise<void>((resolve) => setImmediate(resolve));
    for (const command of rest) {
      sent.push(
        nextCheckPhase.then(() => {
          const done = this.dispatch(command);
          this.end();
          return done;
        }),
      );
    }
    return sent;
  }

  private dispatch(command: OrderCommand): Promise<CommandOutcome<unknown>['kind']> {
    return command.kind === 'place' ? this.place(command.order, command.purpose) : this.cancel(command.cancel, command.reason);
  }

  /** Sends one new order and reports its outcome; returns the outcome's kind. */
  async place(order: PlaceOrder, purpose: string): Promise<CommandOutcome<unknown>['kind']> {
    const price = order.priceTicks === undefined ? null : new Price(this.instrument, order.priceTicks);
    const qty = new Quantity(this.instrument, order.qtySteps);
    const id = order.clientOrderId;
    this.bus.emit(
      'order_submit',
      {
        symbol: order.symbol,
        client_id: id,
        side: order.side,
        type: order.type,
        price,
        qty,
        reduce_only: order.reduceOnly,
        time_in_force: order.timeInForce ?? null,
        purpose,
      },
      id,
    );
    const { outcome, durationMs: duration } = await this.send(() => this.venue.placeOrder(order));
    const { error, code } = outcomeError(outcome);
    this.bus.emit(
      'order_submit_result',
      {
        symbol: order.symbol,
        client_id: id,
        side: order.side,
        type: order.type,
        price,
        qty,
        duration_ms: duration,
        outcome: outcome.kind,
        order_id: outcome.kind === 'accepted' ? outcome.value.orderId : null,
        error,
        error_code: code,
        transport: outcome.transport ?? null,
      },
      id,
    );
    if (purpose === 'reduce_only_force' && outcome.kind !== 'accepted') {
      this.bus.emit('reduce_only_force_error', { symbol: order.symbol, side: order.side, qty, error: error ?? outcome.kind, client_id: id }, id);
    }
    for (const event of this.maker.onPlaceOutcome(order, outcome, this.clock.nowMs(), duration)) this.bus.publish(event);
    this.observe(outcome);
    return outcome.kind;
  }

  /** Cancels one order by client id and reports the outcome; returns the outcome's kind. */
  async cancel(cancel: CancelOrder, reason: string): Promise<CommandOutcome<unknown>['kind']> {
    const id = cancel.clientOrderId;
    this.bus.emit('order_cancel', { symbol: cancel.symbol, client_id: id, reason }, id);
    const { outcome, durationMs } = await this.send(() => this.venue.cancelOrder(cancel));
    const { error } = outcomeError(outcome);
    this.bus.emit(
      'order_cancel_result',
      { symbol: cancel.symbol, client_id: id, outcome: outcome.kind, duration_ms: durationMs, error, transport: outcome.transport ?? null },
      id,
    );
    for (const event of this.maker.onCancelOutcome(cancel, outcome, this.clock.nowMs())) this.bus.publish(event);
    this.observe(outcome);
    return outcome.kind;
  }

  /** Runs one venue call, counted as in flight and timed; a throw is an ambiguous outcome. */
  private async send(call: () => Promise<CommandOutcome<OrderSnapshot>>): Promise<{ outcome: CommandOutcome<OrderSnapshot>; durationMs: number }> {
    this.begin();
    const started = this.clock.monoNs();
    let outcome: CommandOutcome<OrderSnapshot>;
    try {
      outcome = await call();
    } catch (error) {
      outcome = { kind: 'ambiguous', reason: error instanceof Error ? error.message : String(error) };
    } finally {
      this.end();
    }
    return { outcome, durationMs: elapsedMs(started, this.clock.monoNs()) };
  }

  private begin(): void {
    this.inFlight += 1;
  }

  private end(): void {
    this.inFlight -= 1;
    if (this.inFlight === 0) for (const wake of this.idleWaiters.splice(0)) wake();
  }
}
