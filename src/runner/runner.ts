/**
 * The runner joins market data -> core -> order commands -> venue for every symbol: it starts
 * the venue session (time sync, instruments, leverage, streams, reconciliation), runs one
 * coalesced decision cycle per symbol whenever its inputs change, settles ambiguous orders,
 * keeps the dead-man switch armed, writes snapshots, and on stop cancels everything and waits
 * for the venue to confirm.
 */
import { context, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Clock } from '../core/clock.ts';
import type { EventBus } from '../core/events.ts';
import type { Instrument } from '../core/instrument.ts';
import { MarketMaker, type MarketMakerView } from '../core/market-maker.ts';
import {
  RATE_LIMIT_WAIT_MS,
  type AccountUpdate,
  type BookTop,
  type CommandOutcome,
  type MarginCall,
  type MarginType,
  type MarkPriceUpdate,
  type OrderUpdate,
} from '../core/model.ts';
import { formatMoney } from '../core/money.ts';
import type { StrategyParams } from '../core/params.ts';
import type { ListenKeyEvent, StreamStateChange, Venue, VenueListener } from '../core/venue.ts';
import { ConfigError, type ConfigIssue } from '../config/errors.ts';
import { fieldByKey, fieldLabel } from '../config/fields.ts';
import { INSTRUMENTATION_SCOPE, SPANS } from '../telemetry/names.ts';
import { InstanceGuard } from '../core/instance-guard.ts';
import { sessionOf } from '../core/client-order-ids.ts';
import { DeadmanSwitch } from './deadman-switch.ts';
import { checkConfigAgainstInstruments } from './config-checks.ts';
import { globalTracerDecisions, type DecisionTracing } from './decision-tracing.ts';
import { OrderExecutor } from './order-executor.ts';
import { clearSymbol } from './shutdown.ts';
import { nodeTimers, type Timers } from './timers.ts';

export interface RunnerOptions {
  readonly symbols: readonly string[];
  readonly params: StrategyParams;
  readonly shadow: boolean;
  readonly clientIdPrefix: string;
  readonly leverage: number;
  readonly marginType: MarginType;
  readonly snapshotIntervalMs: number;
  /** Stop after this many decision cycles (all symbols together); null runs until stopped. */
  readonly iterations: number | null;
  /** countdownCancelAll countdown; 0 disables the dead-man switch. */
  readonly deadmanMs: number;
  readonly shutdownTimeoutMs: number;
  /** How often ambiguous orders are checked for a status query. */
  readonly settleIntervalMs: number;
  /**
   * A status query finding no order settles an ambiguous order only once it was sent this long
   * ago (recvWindow + clock tolerance): before that the venue may still accept the request.
   */
  readonly notFoundAfterMs?: number;
}

export type RunnerState = 'idle' | 'starting' | 'running' | 'stopping' | 'stopped' | 'failed';

export interface Readiness {
  readonly exchange: boolean;
  readonly risk: boolean;
  readonly state: boolean;
}

/** How the runner stopped, for the exit code and the last log line. */
export interface StopReport {
  readonly reason: string;
  /** Orders the venue still listed, summed over symbols: 0 when every symbol was confirmed clear, null when not known. */
  readonly openOrdersLeft: number | null;
  /** True when the venue confirmed that none of our orders rests (and none can still appear). */
  readonly clean: boolean;
  /** What a person must know when the stop was not clean or not asked for. */
  readonly detail: string | null;
}

interface SymbolSession {
  readonly instrument: Instrument;
  readonly maker: MarketMaker;
  readonly executor: OrderExecutor;
  scheduled: boolean;
  deciding: boolean;
  reconciled: boolean;
  reconciling: Promise<void> | null;
  /** User-stream order updates held while missed trades are read back (applied after them). */
  held: OrderUpdate[] | null;
  /** The user stream came back while a reconciliation ran: run another one after it. */
  again: boolean;
}

const tracer = trace.getTracer(INSTRUMENTATION_SCOPE);

/**
 * After a user-stream outage the trade history is read from the last user-stream event minus
 * this margin (clock skew, events in flight when the stream died): trade ids make overlap harmless.
 */
export const MISSED_TRADES_MARGIN_MS = 30_000;

/** Returns the Binance code and HTTP status an adapter error carries, when it carries them. */
function errorCodes(error: unknown): { code: number | null; http_status: number | null } {
  const e = (typeof error === 'object' && error !== null ? error : {}) as { binanceCode?: unknown; httpStatus?: unknown };
  return { code: typeof e.binanceCode === 'number' ? e.binanceCode : null, http_status: typeof e.httpStatus === 'number' ? e.httpStatus : null };
}

export class Runner {
  private readonly venue: Venue;
  private readonly clock: Clock;
  private readonly bus: EventBus;
  private readonly timers: Timers;
  private readonly decisions: DecisionTracing;
  private readonly options: RunnerOptions;
  private readonly sessions = new Map<string, SymbolSession>();
  private readonly intervals: unknown[] = [];
  private rateLimitTimer: unknown = null;
  private currentState: RunnerState = 'idle';
  private cycles = 0;
  private readonly sessionId: string;
  private stopPromise: Promise<void> | null = null;
  private readonly stoppedWaiters: Array<() => void> = [];
  private deadman: DeadmanSwitch | null = null;
  private instanceGuard: InstanceGuard | null = null;
  /** Set when another live instance shares our prefix and we yield to it. */
  private yielding = false;
  private yieldDetail: string | null = null;
  private report: StopReport | null = null;
  private venueOffsetMs = 0;
  private eventLogHealthy = true;
  /** When the session connected (trades before it are not ours to count), ms. */
  private connectedAtMs = 0;
  /** Venue time of the last user-stream event (or the connect time), ms. */
  private lastUserEventMs = 0;

  constructor(deps: { venue: Venue; clock: Clock; bus: EventBus; timers?: Timers; decisions?: DecisionTracing }, options: RunnerOptions) {
    this.venue = deps.venue;
    this.clock = deps.clock;
    this.bus = deps.bus;
    this.timers = deps.timers ?? nodeTimers;
    this.decisions = deps.decisions ?? globalTracerDecisions;
    this.options = options;
    // Milliseconds, not seconds: a process restarted within the same second (kill -9 and an
    // immediate restart) must not generate the client ids of the orders it is about to adopt.
    this.sessionId = Math.floor(this.clock.nowMs()).toString(36);
  }

  /** Returns the lifecycle state. */
  state(): RunnerState {
    return this.currentState;
  }

  /** Returns the number of decision cycles run so far. */
  cycleCount(): number {
    return this.cycles;
  }

  /** Returns each symbol's core view (for metrics, snapshots and tests). */
  views(): MarketMakerView[] {
    const now = this.clock.nowMs();
    return [...this.sessions.values()].map((s) => s.maker.view(now));
  }

  /** Returns the loaded instruments. */
  instruments(): Instrument[] {
    return [...this.sessions.values()].map((s) => s.instrument);
  }

  /** Returns the number of order commands awaiting the venue's answer, all symbols together. */
  commandsInFlight(): number {
    let n = 0;
    for (const session of this.sessions.values()) n += session.executor.pending();
    return n;
  }

  /** Returns the three readiness checks behind /ready. */
  readiness(): Readiness {
    const status = this.venue.status();
    const now = this.clock.nowMs();
    const sessions = [...this.sessions.values()];
    const running = this.currentState === 'running';
    return {
      exchange:
        running &&
        status.restReachable &&
        status.marketConnected &&
        status.userConnected &&
        status.listenKeyLive &&
        (this.deadman?.armed() ?? true) &&
        !this.yielding,
      risk: sessions.every((s) => {
        const view = s.maker.view(now);
        return view.frozenReason === null && view.riskState < 2;
      }),
      state: running && this.eventLogHealthy && sessions.length === this.options.symbols.length && sessions.every((s) => s.reconciled),
    };
  }

  /**
   * Applies the event-log policy: while the log cannot be written, quoting is suppressed
   * (`event_log_unwritable`), resting quotes are cancelled and /ready fails; risk-reducing
   * orders may continue. Quoting resumes once a write succeeds again.
   */
  setEventLogHealthy(healthy: boolean): void {
    if (healthy === this.eventLogHealthy) return;
    this.eventLogHealthy = healthy;
    for (const session of this.sessions.values()) {
      session.maker.setEventLogHealthy(healthy);
      this.schedule(session);
    }
  }

  /** Returns how the runner stopped (null while it has not). */
  stopReport(): StopReport | null {
    return this.report;
  }

  /** Resolves when the runner has stopped (by signal, iteration bound or failure). */
  stopped(): Promise<void> {
    if (this.currentState === 'stopped' || this.currentState === 'failed') return Promise.resolve();
    return new Promise((resolve) => this.stoppedWaiters.push(resolve));
  }

  /** Starts the venue session and the decision loop; rejects when start-up fails. */
  async start(): Promise<void> {
    if (this.currentState !== 'idle') throw new Error(`runner cannot start from state ${this.currentState}`);
    this.currentState = 'starting';
    try {
      const rtt = this.clock.monoNs();
      const offset = await this.venue.syncTime();
      this.venueOffsetMs = offset;
      this.bus.emit('time_sync', { offset_ms: offset, rtt_ms: Number((this.clock.monoNs() - rtt) / 1_000_000n) });
      const instruments = await this.venue.loadInstruments(this.options.symbols);
      checkConfigAgainstInstruments(instruments, this.options.params, () => this.checkGrid(instruments));
      for (const instrument of instruments) {
        await this.venue.configureSymbol(instrument.symbol, { leverage: this.options.leverage, marginType: this.options.marginType });
        this.addSession(instrument);
      }
      this.connectedAtMs = this.clock.nowMs();
      this.lastUserEventMs = this.connectedAtMs;
      this.instanceGuard = new InstanceGuard({
        prefix: this.options.clientIdPrefix,
        sessionId: this.sessionId,
        connectedAtVenueMs: this.connectedAtMs + offset,
      });
      await this.venue.connect(this.options.symbols, this.listener());
      await Promise.all([...this.sessions.values()].map((s) => this.reconcile(s, 'start')));
      this.currentState = 'running';
      if (this.yielding) {
        void this.stop('another_instance');
        return;
      }
      await this.startDeadman();
      this.startTimers();
      for (const session of this.sessions.values()) this.schedule(session);
    } catch (error) {
      this.currentState = 'failed';
      await this.venue.disconnect().catch(() => undefined);
      this.wakeStopped();
      throw error;
    }
  }

  /**
   * Stops quoting, waits for in-flight commands, cancels every open order, and waits until the
   * venue reports none left (bounded by shutdownTimeoutMs). Safe to call more than once.
   */
  stop(reason: string): Promise<void> {
    this.stopPromise ??= this.doStop(reason);
    return this.stopPromise;
  }

  private async doStop(reason: string): Promise<void> {
    const started = this.clock.monoNs();
    this.currentState = 'stopping';
    for (const interval of this.intervals.splice(0)) this.timers.clearInterval(interval);
    if (this.rateLimitTimer !== null) this.timers.clearTimeout(this.rateLimitTimer);
    for (const session of this.sessions.values()) session.maker.setSuppressed('stopping');
    const deadline = this.clock.monoNs() + BigInt(this.options.shutdownTimeoutMs) * 1_000_000n;
    await this.withDeadline(Promise.all([...this.sessions.values()].map((s) => s.executor.idle())), deadline);
    // The switch keeps running while we clear the symbols: if the venue cannot confirm that
    // nothing rests, it stays armed and cancels what is left.
    let left: number | null = 0;
    for (const session of this.sessions.values()) {
      const n = await this.clearAtVenue(session, deadline);
      left = left === null || n === null ? null : left + n;
    }
    const clean = left === 0;
    this.deadman?.stop();
    // Another instance shares the switch (it is per account and symbol): never disarm it then.
    if (clean && !this.yielding && this.deadman !== null) await this.deadman.disarm();
    await this.venue.disconnect().catch(() => undefined);
    const mayRemain = clean
      ? null
      : `orders may remain at the exchange (${left === null ? 'the venue could not be read' : `${left} still listed`}); ${
          this.deadman === null
            ? 'no dead-man switch is armed: cancel them by hand'
            : `the dead-man switch stays armed and cancels them within ${this.options.deadmanMs} ms`
        }`;
    this.report = { reason, openOrdersLeft: left, clean, detail: [this.yieldDetail, mayRemain].filter((d) => d !== null).join('; ') || null };
    this.bus.emit('runner_stopped', {
      reason,
      open_orders_left: left,
      clean,
      deadman: this.deadman === null ? 'off' : clean && !this.yielding ? 'disarmed' : 'left_armed',
      duration_ms: Number((this.clock.monoNs() - started) / 1_000_000n),
    });
    this.currentState = 'stopped';
    this.wakeStopped();
  }

  /** Clears one symbol at the venue (only our session's orders when yielding); returns what it still lists, or null. */
  private async clearAtVenue(session: SymbolSession, deadline: bigint): Promise<number | null> {
    const symbol = session.instrument.symbol;
    const started = this.clock.monoNs();
    const result = await clearSymbol({
      venue: this.venue,
      clock: this.clock,
      timers: this.timers,
      symbol,
      deadlineNs: deadline,
      lateArrivalUntilMs: session.maker.lateArrivalUntilMs(this.options.notFoundAfterMs ?? 0),
      ...(this.yielding ? { onlyOurs: (id: string) => sessionOf(this.options.clientIdPrefix, id) === this.sessionId } : {}),
    });
    this.bus.emit('cancel_all_done', {
      symbol,
      cancelled: result.before === null || result.left === null ? 0 : Math.max(0, result.before - result.left),
      open_orders_left: result.left,
      duration_ms: Number((this.clock.monoNs() - started) / 1_000_000n),
      error: result.error,
      trigger: 'shutdown',
    });
    return result.left;
  }

  /**
   * Throws a ConfigError listing every configured quantity that is not on a symbol's lot-step
   * grid: silently rounding a size the user chose would trade something else than configured.
   */
  private checkGrid(instruments: readonly Instrument[]): void {
    const p = this.options.params;
    const quantities: Array<[key: 'orderQty' | 'reduceOnlyClipQty' | 'grindClipQty', value: string]> = [
      ['orderQty', p.orderQty],
      ['reduceOnlyClipQty', p.reduceOnlyClipQty],
      ...(p.grindEnabled ? [['grindClipQty', p.grindClipQty] as ['grindClipQty', string]] : []),
    ];
    const issues: ConfigIssue[] = [];
    for (const instrument of instruments) {
      for (const [key, value] of quantities) {
        const field = fieldByKey(key);
        const label = field === undefined ? key : fieldLabel(field);
        let steps: number;
        try {
          steps = instrument.qtyToSteps(value, 'exact');
        } catch {
          issues.push({ field: label, message: `"${value}" is not on ${instrument.symbol}'s lot step ${instrument.spec.stepSize}` });
          continue;
        }
        if (steps < 1) issues.push({ field: label, message: `"${value}" is below one lot step of ${instrument.symbol} (${instrument.spec.stepSize})` });
      }
    }
    if (issues.length > 0) throw new ConfigError(issues);
  }

  private addSession(instrument: Instrument): void {
    const maker = new MarketMaker(instrument, this.options.params, {
      clientIdPrefix: this.options.clientIdPrefix,
      shadow: this.options.shadow,
      sessionId: this.sessionId,
      notFoundAfterMs: this.options.notFoundAfterMs ?? 0,
    });
    maker.setEventLogHealthy(this.eventLogHealthy);
    const executor = new OrderExecutor({ venue: this.venue, clock: this.clock, bus: this.bus, instrument, maker, observe: (o) => this.onOutcome(o) });
    this.sessions.set(instrument.symbol, {
      instrument,
      maker,
      executor,
      scheduled: false,
      deciding: false,
      reconciled: false,
      reconciling: null,
      held: null,
      again: false,
    });
  }

  private listener(): VenueListener {
    return {
      onBookTop: (top: BookTop) => {
        const session = this.sessions.get(top.symbol);
        if (!session) return;
        session.maker.onBookTop(top, this.clock.nowMs());
        this.decideNow(session);
      },
      onMarkPrice: (update: MarkPriceUpdate) => {
        const session = this.sessions.get(update.symbol);
        if (session) this.publish(session.maker.onMarkPrice(update, this.clock.nowMs()));
      },
      onOrderUpdate: (update: OrderUpdate) => {
        this.lastUserEventMs = Math.max(this.lastUserEventMs, update.eventTimeMs);
        this.checkInstance(update);
        const session = this.sessions.get(update.symbol);
        if (!session) return;
        if (session.held !== null) {
          session.held.push(update);
          return;
        }
        this.publish(session.maker.onOrderUpdate(update, this.clock.nowMs()));
        this.schedule(session);
      },
      onAccountUpdate: (update: AccountUpdate) => {
        this.lastUserEventMs = Math.max(this.lastUserEventMs, update.eventTimeMs);
        const now = this.clock.nowMs();
        for (const session of this.accountUpdateTargets(update)) {
          this.publish(session.maker.onAccountUpdate(update, now));
          this.schedule(session);
        }
      },
      onMarginCall: (call: MarginCall) => {
        this.bus.emit('margin_call', { cross_wallet_balance: formatMoney(call.crossWalletBalance), symbols: call.positions.map((p) => p.symbol).join(',') });
      },
      onStreamState: (change: StreamStateChange) => this.onStreamState(change),
      onListenKey: (event: ListenKeyEvent) => {
        this.bus.emit('listen_key_event', { action: event.action, listenKey: event.listenKey, error: event.error });
      },
      onMalformed: (source: string, error: string, sample: string) => {
        this.bus.emit('malformed_message', { source, error, sample });
      },
    };
  }

  /**
   * Stops trading when the update proves an older session with our prefix alive (a second
   * instance: we are it); reports a younger one, whose orphans the core keeps cancelling.
   */
  private checkInstance(update: OrderUpdate): void {
    const verdict = this.instanceGuard?.observe(update);
    if (verdict === undefined || verdict.kind === 'none') return;
    const yields = verdict.kind === 'yield';
    this.bus.emit('another_instance', {
      symbol: update.symbol,
      our_session: this.sessionId,
      other_session: verdict.otherSession,
      client_id: verdict.clientOrderId,
      action: yields ? 'stopping' : 'continuing',
    });
    if (!yields || this.yielding) return;
    this.yielding = true;
    this.yieldDetail = `another mm-runner (session ${verdict.otherSession}, order ${verdict.clientOrderId}) trades ${update.symbol} with client-id prefix "${this.options.clientIdPrefix}" on this account; this younger one stopped and left its orders alone. Give each runner its own prefix (MM_CLIENT_ID_PREFIX) or account.`;
    // During start-up the stop waits until the runner is up (start() checks `yielding`).
    if (this.currentState === 'running') void this.stop('another_instance');
  }

  /**
   * Returns the sessions an ACCOUNT_UPDATE concerns. A cross-margin FUNDING_FEE update names no
   * symbol (Binance sends only the balance), so it goes to the one symbol holding a position, or
   * to the largest position when several do; every other update goes to all (each core reads
   * only its own symbol's position).
   */
  private accountUpdateTargets(update: AccountUpdate): SymbolSession[] {
    const all = [...this.sessions.values()];
    if (update.reason !== 'FUNDING_FEE' || all.length <= 1) return all;
    const named = update.positions.map((p) => this.sessions.get(p.symbol)).filter((s): s is SymbolSession => s !== undefined);
    if (named.length > 0) return named.slice(0, 1);
    const now = this.clock.nowMs();
    let best: SymbolSession | undefined;
    let bestNotional = 0n;
    for (const session of all) {
      const notional = session.maker.view(now).positionNotional;
      const size = notional < 0n ? -notional : notional;
      if (best === undefined || size > bestNotional) {
        best = session;
        bestNotional = size;
      }
    }
    return best === undefined ? [] : [best];
  }

  private onStreamState(change: StreamStateChange): void {
    const now = this.clock.nowMs();
    if (change.connected) {
      this.bus.emit('ws_connected', { stream: change.stream, listenKey: change.listenKey, url: change.url });
    } else {
      this.bus.emit('ws_disconnected', { stream: change.stream, listenKey: change.listenKey, reason: change.reason });
    }
    for (const session of this.sessions.values()) {
      this.publish(session.maker.onStreamState(change.stream, change.connected, now));
      if (change.stream === 'user' && !change.connected) {
        session.reconciled = false;
        session.maker.markUnreconciled();
      }
      // Only after start-up: a (re)connected user stream may have missed updates, so the venue's
      // view of orders and position is taken again before quoting resumes.
      if (change.stream === 'user' && change.connected && this.currentState === 'running') {
        void this.reconcile(session, 'reconnect');
      }
      this.schedule(session);
    }
  }

  private reconcile(session: SymbolSession, trigger: string): Promise<void> {
    // A reconciliation already running may have read the venue before this reconnect: the
    // trades and orders of the outage since then need another pass.
    if (session.reconciling !== null && trigger === 'reconnect') session.again = true;
    session.reconciling ??= tracer.startActiveSpan(
      SPANS.reconcile,
      { attributes: { 'mm.symbol': session.instrument.symbol, 'mm.reconcile.trigger': trigger } },
      (span) =>
        this.doReconcile(session, trigger)
          .catch((error: unknown) => {
            span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
            throw error;
          })
          .finally(() => {
            span.end();
            session.reconciling = null;
            if (session.again) {
              session.again = false;
              if (this.currentState === 'running') void this.reconcile(session, 'reconnect');
            }
          }),
    );
    return session.reconciling;
  }

  private async doReconcile(session: SymbolSession, trigger: string): Promise<void> {
    const symbol = session.instrument.symbol;
    // After an outage, fills the stream missed are read back first; live updates wait for them
    // so that fills apply in the venue's order.
    const backfill = trigger !== 'start';
    if (backfill) session.held ??= [];
    await session.executor.idle();
    let operation = backfill ? 'userTrades' : 'reconcile';
    try {
      if (backfill) await this.applyMissedTrades(session);
      operation = 'reconcile';
      const [open, position] = await Promise.all([this.venue.openOrders(symbol), this.venue.position(symbol)]);
      const result = session.maker.reconcile(open, position, this.clock.nowMs());
      this.publish(result.events);
      session.reconciled = true;
      await Promise.all(result.cancel.map((c) => session.executor.cancel(c, 'reconcile_unknown')));
    } catch (error) {
      this.bus.emit('exchange_error', {
        operation: `${operation}:${symbol}`,
        error: error instanceof Error ? error.message : String(error),
        ...errorCodes(error),
      });
      if (trigger === 'start') throw error;
      this.timers.setTimeout(() => {
        if (this.currentState === 'running' && !session.reconciled) void this.reconcile(session, 'retry');
      }, 1000);
    } finally {
      this.releaseHeld(session);
    }
    this.schedule(session);
  }

  /**
   * Reads the symbol's trades since the last user-stream event (less a margin, never before the
   * session connected) and applies those the stream missed. Ambiguous orders whose venue id is
   * unknown are queried first, since a trade names only the venue's order id. Throws when the
   * trade history cannot be read (the caller reports it and retries).
   */
  private async applyMissedTrades(session: SymbolSession): Promise<void> {
    const symbol = session.instrument.symbol;
    for (const clientOrderId of session.maker.ordersWithoutVenueId()) {
      const outcome = await this.venue.queryOrder(symbol, clientOrderId).catch(() => null);
      if (outcome?.kind === 'accepted') this.publish(session.maker.onOrderQuery(clientOrderId, outcome.value, this.clock.nowMs()));
    }
    const sinceMs = Math.max(this.connectedAtMs, this.lastUserEventMs - MISSED_TRADES_MARGIN_MS);
    const trades = await this.venue.userTrades(symbol, sinceMs);
    this.publish(session.maker.applyMissedTrades(trades, this.clock.nowMs()));
  }

  /** Applies the user-stream order updates held during a reconciliation, in arrival order. */
  private releaseHeld(session: SymbolSession): void {
    const held = session.held;
    session.held = null;
    if (held === null) return;
    for (const update of held) this.publish(session.maker.onOrderUpdate(update, this.clock.nowMs()));
  }

  /** Coalesces decision requests: at most one pending cycle per symbol. */
  private schedule(session: SymbolSession): void {
    if (session.scheduled || this.currentState !== 'running') return;
    session.scheduled = true;
    setImmediate(() => {
      session.scheduled = false;
      this.cycle(session);
    });
  }

  /**
   * Decides at once on fresh market data (tick-to-order latency beats coalescing; a decision
   * costs microseconds and sends nothing when nothing changed). Other inputs go through
   * schedule(), which coalesces them into one decision per turn of the event loop.
   */
  private decideNow(session: SymbolSession): void {
    if (this.currentState !== 'running' || session.deciding) return;
    session.deciding = true;
    try {
      this.cycle(session);
    } finally {
      session.deciding = false;
    }
  }

  private cycle(session: SymbolSession): void {
    if (this.currentState !== 'running') return;
    const startedAt = performance.timeOrigin + performance.now();
    const decision = session.maker.decide(this.clock.nowMs());
    if (decision.commands.length === 0) {
      this.publish(decision.events);
    } else {
      // Only decisions that send something are traced: book ticks are counted, not traced.
      const traced = this.decisions.start(startedAt, { 'mm.symbol': session.instrument.symbol, 'mm.decision.commands': decision.commands.length });
      context.with(traced.context, () => {
        this.publish(decision.events);
        const sent = session.executor.execute(decision.commands);
        void Promise.allSettled(sent).then(() => {
          traced.end();
          this.schedule(session);
        });
      });
    }
    this.cycles += 1;
    const limit = this.options.iterations;
    if (limit !== null && this.cycles >= limit) void this.stop('iterations');
  }

  private onOutcome(outcome: CommandOutcome<unknown>): void {
    if (outcome.kind !== 'rejected' || (outcome.httpStatus !== 429 && outcome.httpStatus !== 418)) return;
    const waitMs = outcome.retryAfterMs ?? RATE_LIMIT_WAIT_MS[outcome.httpStatus];
    this.bus.emit('rate_limited', { status: outcome.httpStatus, retry_after_ms: waitMs, operation: 'order' });
    for (const session of this.sessions.values()) session.maker.setSuppressed('rate_limited');
    if (this.rateLimitTimer !== null) this.timers.clearTimeout(this.rateLimitTimer);
    this.rateLimitTimer = this.timers.setTimeout(() => {
      this.rateLimitTimer = null;
      if (this.currentState !== 'running') return;
      for (const session of this.sessions.values()) {
        session.maker.setSuppressed(null);
        this.schedule(session);
      }
    }, waitMs);
  }

  private startTimers(): void {
    this.intervals.push(this.timers.setInterval(() => this.snapshot(), this.options.snapshotIntervalMs));
    this.intervals.push(this.timers.setInterval(() => void this.settleAmbiguous(), this.options.settleIntervalMs));
  }

  /** Emits one runner_snapshot per symbol. */
  snapshot(): void {
    const now = this.clock.nowMs();
    for (const session of this.sessions.values()) {
      const v = session.maker.view(now);
      const fmt = (steps: number) => session.instrument.formatQty(steps);
      this.bus.emit('runner_snapshot', {
        symbol: v.symbol,
        mid: v.midTicks === null ? null : session.instrument.formatPrice(v.midTicks),
        position: fmt(v.positionSteps),
        pending_buy: fmt(v.pendingBuySteps),
        pending_sell: fmt(v.pendingSellSteps),
        risk_state: v.riskState,
        realized_pnl: formatMoney(v.realizedPnl),
        unrealized_pnl: formatMoney(v.unrealizedPnl),
        fees: formatMoney(v.fees),
        funding_accum: formatMoney(v.fundingAccum),
        open_orders: v.openOrders,
        suppressed: v.suppressed,
      });
    }
  }

  private async settleAmbiguous(): Promise<void> {
    const now = this.clock.nowMs();
    for (const session of this.sessions.values()) {
      for (const clientOrderId of session.maker.ordersToQuery(now)) {
        const outcome = await this.venue
          .queryOrder(session.instrument.symbol, clientOrderId)
          .catch((e: unknown) => ({ kind: 'ambiguous' as const, reason: String(e) }));
        if (outcome.kind === 'accepted') {
          this.publish(session.maker.onOrderQuery(clientOrderId, outcome.value, this.clock.nowMs()));
          this.schedule(session);
        }
      }
    }
  }

  /** Arms the dead-man switch (not in shadow mode, where nothing rests); quoting follows its state. */
  private async startDeadman(): Promise<void> {
    if (this.options.deadmanMs <= 0 || this.options.shadow) return;
    this.deadman = new DeadmanSwitch({
      symbols: [...this.sessions.keys()],
      countdownMs: this.options.deadmanMs,
      venue: this.venue,
      clock: this.clock,
      timers: this.timers,
      bus: this.bus,
      onArmedChange: (armed) => {
        for (const session of this.sessions.values()) {
          session.maker.setDeadmanArmed(armed);
          this.schedule(session);
        }
      },
    });
    // Until the first arm succeeds nothing would cancel our quotes if we died.
    for (const session of this.sessions.values()) session.maker.setDeadmanArmed(false);
    await this.deadman.start();
  }

  private publish(events: Iterable<Parameters<EventBus['publish']>[0]>): void {
    for (const event of events) this.bus.publish(event);
  }

  private async withDeadline(work: Promise<unknown>, deadlineNs: bigint): Promise<void> {
    const remainingMs = Number((deadlineNs - this.clock.monoNs()) / 1_000_000n);
    if (remainingMs <= 0) return;
    let handle: unknown = null;
    await Promise.race([work, new Promise<void>((resolve) => (handle = this.timers.setTimeout(resolve, remainingMs)))]);
    if (handle !== null) this.timers.clearTimeout(handle);
  }

  private wakeStopped(): void {
    for (const wake of this.stoppedWaiters.splice(0)) wake();
  }
}
