/**
 * The runner joins market data -> core -> order commands -> venue for every symbol. It starts
 * the venue session (time sync, instruments, leverage, streams, reconciliation), routes the
 * venue's events to each symbol's session (symbol-session.ts), and keeps the runner-wide
 * policies: reconciliation after a reconnect (reconciler.ts), the dead-man switch
 * (deadman-switch.ts), the 429/418 back-off (rate-limit-backoff.ts), one runner per prefix
 * (core/instance-guard.ts), snapshots, settling ambiguous orders, and the graceful stop
 * (graceful-stop.ts). A little over 400 lines: what is left here is the start-up sequence and
 * the routing of the venue's events, which read best in one place; every policy is its own module.
 */
import { every, type Clock, type Timer } from '../core/clock.ts';
import { sessionOf } from '../core/client-order-ids.ts';
import type { EventBus } from '../core/events.ts';
import { InstanceGuard } from '../core/instance-guard.ts';
import type { Instrument } from '../core/instrument.ts';
import { MarketMaker, type MarketMakerView } from '../core/market-maker.ts';
import type { AccountUpdate, MarginCall, MarginType, OrderUpdate } from '../core/model.ts';
import { Amount } from '../core/event-values.ts';
import type { StrategyParams } from '../core/params.ts';
import type { OrderTransport, StreamStateChange, Venue, VenueListener } from '../core/venue.ts';
import { checkConfigAgainstInstruments } from './config-checks.ts';
import { DeadmanSwitch } from './deadman-switch.ts';
import { globalTracerDecisions, type DecisionTracing } from './decision-tracing.ts';
import { stopGracefully, type StopReport } from './graceful-stop.ts';
import { RateLimitBackoff } from './rate-limit-backoff.ts';
import { MISSED_TRADES_MARGIN_MS, Reconciler } from './reconciler.ts';
import { SymbolSession } from './symbol-session.ts';

export type { StopReport } from './graceful-stop.ts';

/** How many delivered funding times are remembered (recovery reads back minutes, not days). */
const LIVE_FUNDING_KEPT = 64;

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
  /** The transport orders take now; null before the venue said (or when it has one transport). */
  readonly orderTransport: OrderTransport | null;
}

export interface RunnerDeps {
  readonly venue: Venue;
  readonly clock: Clock;
  readonly bus: EventBus;
  readonly decisions?: DecisionTracing;
}

export class Runner {
  private readonly venue: Venue;
  private readonly clock: Clock;
  private readonly bus: EventBus;
  private readonly decisions: DecisionTracing;
  private readonly options: RunnerOptions;
  private readonly sessions = new Map<string, SymbolSession>();
  private readonly reconciler: Reconciler;
  private readonly rateLimit: RateLimitBackoff;
  private readonly timers: Timer[] = [];
  private currentState: RunnerState = 'idle';
  private cycles = 0;
  private readonly sessionId: string;
  private stopPromise: Promise<void> | null = null;
  private readonly stoppedWaiters: Array<() => void> = [];
  private deadman: DeadmanSwitch | null = null;
  private instanceGuard: InstanceGuard | null = null;
  /** Set when another live instance shares our prefix and we yield to it: why. */
  private yieldDetail: string | null = null;
  private report: StopReport | null = null;
  private eventLogHealthy = true;
  /** When the session connected (trades before it are not ours to count), ms. */
  private connectedAtMs = 0;
  /** Venue time of the last user-stream event (or the connect time), ms. */
  private lastUserEventMs = 0;
  /** The transport orders take now, as the venue last reported it. */
  private orderTransport: OrderTransport | null = null;
  /** Venue times of the last FUNDING_FEE account updates the user stream delivered. */
  private liveFundingTimes: number[] = [];

  constructor(deps: RunnerDeps, options: RunnerOptions) {
    this.venue = deps.venue;
    this.clock = deps.clock;
    this.bus = deps.bus;
    this.decisions = deps.decisions ?? globalTracerDecisions(deps.clock);
    this.options = options;
    // Milliseconds, not seconds: a process restarted within the same second (kill -9 and an
    // immediate restart) must not generate the client ids of the orders it is about to adopt.
    this.sessionId = Math.floor(this.clock.nowMs()).toString(36);
    const running = (): boolean => this.currentState === 'running';
    this.reconciler = new Reconciler({
      venue: this.venue,
      clock: this.clock,
      bus: this.bus,
      running,
      missedTradesSinceMs: () => Math.max(this.connectedAtMs, this.lastUserEventMs - MISSED_TRADES_MARGIN_MS),
      liveFundingTimes: () => this.liveFundingTimes,
    });
    this.rateLimit = new RateLimitBackoff({
      clock: this.clock,
      bus: this.bus,
      onChange: (limited) => {
        if (!limited && !running()) return;
        for (const session of this.sessions.values()) {
          session.maker.setSuppressed(limited ? 'rate_limited' : null);
          if (!limited) session.schedule();
        }
      },
    });
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
        this.yieldDetail === null,
      risk: sessions.every((s) => {
        const view = s.maker.view(now);
        return view.frozenReason === null && view.riskState < 2;
      }),
      state: running && this.eventLogHealthy && sessions.length === this.options.symbols.length && sessions.every((s) => s.reconciled),
      orderTransport: this.orderTransport,
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
      session.schedule();
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
      this.bus.emit('time_sync', { offset_ms: offset, rtt_ms: Number((this.clock.monoNs() - rtt) / 1_000_000n) });
      const instruments = await this.venue.loadInstruments(this.options.symbols);
      checkConfigAgainstInstruments(instruments, this.options.params);
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
      await Promise.all([...this.sessions.values()].map((s) => this.reconciler.reconcile(s, 'start')));
      this.currentState = 'running';
      if (this.yieldDetail !== null) {
        void this.stop('another_instance');
        return;
      }
      await this.startDeadman();
      // A stop may have come while the switch was being armed (a second instance found): its
      // timers were cleared then, so none may be started now (they would keep the process alive).
      if (this.currentState !== 'running') return;
      this.timers.push(every(this.clock, this.options.snapshotIntervalMs, () => this.snapshot()));
      this.timers.push(every(this.clock, this.options.settleIntervalMs, () => void this.settleAmbiguous()));
      for (const session of this.sessions.values()) session.schedule();
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

  /** Emits one runner_snapshot per symbol. */
  snapshot(): void {
    for (const session of this.sessions.values()) session.snapshot();
  }

  private async doStop(reason: string): Promise<void> {
    this.currentState = 'stopping';
    for (const timer of this.timers.splice(0)) timer.cancel();
    this.rateLimit.stop();
    this.report = await stopGracefully(
      {
        venue: this.venue,
        clock: this.clock,
        bus: this.bus,
        sessions: [...this.sessions.values()],
        shutdownTimeoutMs: this.options.shutdownTimeoutMs,
        lateArrivalGraceMs: this.options.notFoundAfterMs ?? 0,
        deadman: this.deadman,
        deadmanMs: this.options.deadmanMs,
        yielding: this.yieldDetail === null ? null : { ours: (id) => sessionOf(this.options.clientIdPrefix, id) === this.sessionId, detail: this.yieldDetail },
      },
      reason,
    );
    this.currentState = 'stopped';
    this.wakeStopped();
  }

  private addSession(instrument: Instrument): void {
    const maker = new MarketMaker(instrument, this.options.params, {
      clientIdPrefix: this.options.clientIdPrefix,
      shadow: this.options.shadow,
      sessionId: this.sessionId,
      notFoundAfterMs: this.options.notFoundAfterMs ?? 0,
    });
    maker.setEventLogHealthy(this.eventLogHealthy);
    const session = new SymbolSession(instrument, maker, {
      venue: this.venue,
      clock: this.clock,
      bus: this.bus,
      decisions: this.decisions,
      running: () => this.currentState === 'running',
      onCycle: () => this.countCycle(),
      observe: (outcome) => this.rateLimit.observe(outcome),
    });
    this.sessions.set(instrument.symbol, session);
  }

  private countCycle(): void {
    this.cycles += 1;
    const limit = this.options.iterations;
    if (limit !== null && this.cycles >= limit) void this.stop('iterations');
  }

  private listener(): VenueListener {
    return {
      onBookTop: (top) => this.sessions.get(top.symbol)?.onBookTop(top),
      onMarkPrice: (update) => this.sessions.get(update.symbol)?.onMarkPrice(update),
      onOrderUpdate: (update) => {
        this.lastUserEventMs = Math.max(this.lastUserEventMs, update.eventTimeMs);
        this.checkInstance(update);
        this.sessions.get(update.symbol)?.onOrderUpdate(update);
      },
      onAccountUpdate: (update) => {
        this.lastUserEventMs = Math.max(this.lastUserEventMs, update.eventTimeMs);
        if (update.reason === 'FUNDING_FEE') this.liveFundingTimes = [...this.liveFundingTimes.slice(-(LIVE_FUNDING_KEPT - 1)), update.txTimeMs];
        for (const session of this.accountUpdateTargets(update)) session.onAccountUpdate(update);
      },
      onMarginCall: (call: MarginCall) => {
        this.bus.emit('margin_call', { cross_wallet_balance: new Amount(call.crossWalletBalance), symbols: call.positions.map((p) => p.symbol).join(',') });
      },
      onStreamState: (change) => this.onStreamState(change),
      onListenKey: (event) => this.bus.emit('listen_key_event', { action: event.action, listenKey: event.listenKey, error: event.error }),
      onMalformed: (source, error, sample) => this.bus.emit('malformed_message', { source, error, sample }),
      onOrderTransport: (change) => {
        this.orderTransport = change.transport;
        this.bus.emit('order_transport_changed', { transport: change.transport, reason: change.reason });
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
    if (!yields || this.yieldDetail !== null) return;
    this.yieldDetail = `another mm-runner (session ${verdict.otherSession}, order ${verdict.clientOrderId}) trades ${update.symbol} with client-id prefix "${this.options.clientIdPrefix}" on this account; this younger one stopped and left its orders alone. Give each runner its own prefix (MM_CLIENT_ID_PREFIX) or account.`;
    // During start-up the stop waits until the runner is up (start() checks `yieldDetail`).
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
      session.publish(session.maker.onStreamState(change.stream, change.connected, now));
      if (change.stream === 'user' && !change.connected) {
        session.reconciled = false;
        session.maker.markUnreconciled();
      }
      // Only after start-up: a (re)connected user stream may have missed updates, so the venue's
      // view of orders and position is taken again before quoting resumes.
      if (change.stream === 'user' && change.connected && this.currentState === 'running') {
        void this.reconciler.reconcile(session, 'reconnect');
      }
      session.schedule();
    }
  }

  private async settleAmbiguous(): Promise<void> {
    for (const session of this.sessions.values()) await session.settleAmbiguous();
  }

  /** Arms the dead-man switch (not in shadow mode, where nothing rests); quoting follows its state. */
  private async startDeadman(): Promise<void> {
    if (this.options.deadmanMs <= 0 || this.options.shadow) return;
    this.deadman = new DeadmanSwitch({
      symbols: [...this.sessions.keys()],
      countdownMs: this.options.deadmanMs,
      venue: this.venue,
      clock: this.clock,
      bus: this.bus,
      onArmedChange: (armed) => {
        for (const session of this.sessions.values()) {
          session.maker.setDeadmanArmed(armed);
          session.schedule();
        }
      },
    });
    // Until the first arm succeeds nothing would cancel our quotes if we died.
    for (const session of this.sessions.values()) session.maker.setDeadmanArmed(false);
    await this.deadman.start();
  }

  private wakeStopped(): void {
    for (const wake of this.stoppedWaiters.splice(0)) wake();
  }
}
