/**
 * The dead-man switch: Binance's countdownCancelAll, armed for every symbol and re-armed every
 * third of its countdown, so the exchange cancels our orders if the process dies. A refresh that
 * fails is retried every second (the request is urgent: a 429 back-off does not hold it). If no
 * refresh has succeeded for two thirds of the countdown, the switch is reported unarmed before
 * it can lapse, and the runner stops quoting until it is armed again.
 */
import type { Clock, Timer } from '../core/clock.ts';
import type { EventBus } from '../core/events.ts';
import type { Venue } from '../core/venue.ts';

/** How soon a failed refresh is sent again, ms. */
export const DEADMAN_RETRY_MS = 1_000;

export interface DeadmanSwitchOptions {
  readonly symbols: readonly string[];
  /** The countdown, ms (> 0). */
  readonly countdownMs: number;
  readonly venue: Pick<Venue, 'countdownCancelAll'>;
  readonly clock: Clock;
  readonly bus: EventBus;
  /** Told when the switch stops being trustworthy (false) and when it is armed again (true). */
  readonly onArmedChange: (armed: boolean) => void;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class DeadmanSwitch {
  private readonly options: DeadmanSwitchOptions;
  /** Time of the last successful arm per symbol (our clock, ms); absent before the first. */
  private readonly armedAt = new Map<string, number>();
  /** Symbols whose last refresh failed (events are emitted on the change only). */
  private readonly failing = new Set<string>();
  private refreshTimer: Timer | null = null;
  private expiryTimer: Timer | null = null;
  private trusted = false;
  private running = false;
  private refreshing: Promise<void> | null = null;

  constructor(options: DeadmanSwitchOptions) {
    this.options = options;
  }

  /** How often the switch is re-armed, ms: a third of the countdown, at least a second. */
  get refreshIntervalMs(): number {
    return Math.max(1_000, Math.floor(this.options.countdownMs / 3));
  }

  /** Returns true while every symbol's countdown was re-armed within the last two thirds of it. */
  armed(): boolean {
    return this.trusted;
  }

  /** Arms the switch for every symbol now (resolves after the first attempt) and keeps it armed. */
  async start(): Promise<void> {
    this.running = true;
    await this.refresh();
  }

  /** Stops refreshing (the countdown keeps running at the exchange). */
  stop(): void {
    this.running = false;
    this.clear();
  }

  /** Stops refreshing and disarms the switch (countdown 0); returns true when every symbol acknowledged it. */
  async disarm(): Promise<boolean> {
    this.stop();
    await this.refreshing;
    let ok = true;
    for (const symbol of this.options.symbols) {
      try {
        await this.options.venue.countdownCancelAll(symbol, 0);
      } catch {
        ok = false;
      }
    }
    return ok;
  }

  private refresh(): Promise<void> {
    this.refreshing ??= this.refreshAll().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async refreshAll(): Promise<void> {
    const { symbols, countdownMs, venue, bus } = this.options;
    let allOk = true;
    for (const symbol of symbols) {
      if (!this.running) return;
      try {
        await venue.countdownCancelAll(symbol, countdownMs);
        const first = !this.armedAt.has(symbol);
        this.armedAt.set(symbol, this.options.clock.nowMs());
        if (this.failing.delete(symbol) || first) bus.emit('countdown_cancel_all', { symbol, countdown_ms: countdownMs, ok: true, error: null });
      } catch (error) {
        allOk = false;
        if (!this.failing.has(symbol)) bus.emit('countdown_cancel_all', { symbol, countdown_ms: countdownMs, ok: false, error: errorText(error) });
        this.failing.add(symbol);
      }
    }
    if (!this.running) return;
    this.evaluate();
    this.schedule(allOk ? this.refreshIntervalMs : DEADMAN_RETRY_MS);
  }

  private schedule(delayMs: number): void {
    this.refreshTimer?.cancel();
    this.refreshTimer = this.options.clock.setTimer(() => {
      this.refreshTimer = null;
      void this.refresh();
    }, delayMs);
  }

  /**
   * Updates the trusted state: trusted while every symbol was armed less than two thirds of the
   * countdown ago; schedules the moment that stops being true.
   */
  private evaluate(): void {
    const now = this.options.clock.nowMs();
    const trustFor = this.options.countdownMs - this.refreshIntervalMs;
    let oldest = Number.POSITIVE_INFINITY;
    for (const symbol of this.options.symbols) oldest = Math.min(oldest, this.armedAt.get(symbol) ?? Number.NEGATIVE_INFINITY);
    const until = oldest + trustFor;
    this.setTrusted(now < until);
    this.expiryTimer?.cancel();
    this.expiryTimer = now < until ? this.options.clock.setTimer(() => ((this.expiryTimer = null), this.evaluate()), until - now) : null;
  }

  private setTrusted(trusted: boolean): void {
    if (trusted === this.trusted) return;
    this.trusted = trusted;
    this.options.onArmedChange(trusted);
  }

  private clear(): void {
    this.refreshTimer?.cancel();
    this.expiryTimer?.cancel();
    this.refreshTimer = null;
    this.expiryTimer = null;
  }
}
