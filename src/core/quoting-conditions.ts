/**
 * What quoting depends on besides the strategy: the book and how old it is (on our clock), the
 * streams, reconciliation, the event log, the dead-man switch and the runner's own holds. Turns
 * them into the applicable suppression reasons, and explains a reason in a few words.
 */
import type { Instrument } from './instrument.ts';
import type { BookTop } from './model.ts';
import type { RiskState } from './risk.ts';
import type { SuppressionReason } from './suppression.ts';

/** The market maker's own state the suppressions also depend on. */
export interface StrategyConditions {
  readonly shadow: boolean;
  readonly staleBookMs: number;
  readonly edgeFrozen: boolean;
  readonly riskState: RiskState;
}

export class QuotingConditions {
  private currentBook: BookTop | null = null;
  /** Our clock when the book was last updated: its age never depends on the venue's clock. */
  private bookReceivedAtMs = 0;
  private marketConnected = false;
  private userConnected = false;
  private reconciledFlag = false;
  private external: 'rate_limited' | 'stopping' | null = null;
  private eventLogHealthy = true;
  private deadmanArmed = true;

  /** The last book (null before the first one and after the market stream dropped). */
  get book(): BookTop | null {
    return this.currentBook;
  }

  get reconciled(): boolean {
    return this.reconciledFlag;
  }

  /** Takes a new best bid/offer received at `nowMs` (our clock). */
  onBookTop(top: BookTop, nowMs: number): void {
    this.currentBook = top;
    this.bookReceivedAtMs = nowMs;
  }

  /** Records a stream's state; a dropped market stream discards the book (a fresh one is needed). */
  onStreamState(stream: 'market' | 'user', connected: boolean): void {
    if (stream === 'market') {
      this.marketConnected = connected;
      if (!connected) this.currentBook = null;
    } else {
      this.userConnected = connected;
    }
  }

  setReconciled(reconciled: boolean): void {
    this.reconciledFlag = reconciled;
  }

  setEventLogHealthy(healthy: boolean): void {
    this.eventLogHealthy = healthy;
  }

  setDeadmanArmed(armed: boolean): void {
    this.deadmanArmed = armed;
  }

  setExternal(reason: 'rate_limited' | 'stopping' | null): void {
    this.external = reason;
  }

  /** Returns every suppression reason that applies now. */
  applicable(nowMs: number, strategy: StrategyConditions): Set<SuppressionReason> {
    const reasons = new Set<SuppressionReason>();
    if (this.external === 'stopping') reasons.add('stopping');
    if (strategy.shadow) reasons.add('shadow');
    // In shadow mode nothing is sent, so there is nothing to reconcile before deciding.
    if (!this.reconciledFlag && !strategy.shadow) reasons.add('not_reconciled');
    if (!this.eventLogHealthy) reasons.add('event_log_unwritable');
    if (!this.deadmanArmed) reasons.add('deadman_unarmed');
    if (!this.marketConnected || !this.userConnected) reasons.add('ws_disconnected');
    const book = this.currentBook;
    if (book === null) reasons.add('no_book');
    else if (nowMs - this.bookReceivedAtMs > strategy.staleBookMs) reasons.add('stale_book');
    else if (book.bidTicks <= 0 || book.bidTicks >= book.askTicks) reasons.add('crossed_book');
    if (strategy.edgeFrozen) reasons.add('frozen');
    if (strategy.riskState === 2) reasons.add('hard_reduce');
    if (this.external === 'rate_limited') reasons.add('rate_limited');
    return reasons;
  }

  /** Returns the detail of a reason these conditions explain (streams down, book age, crossed prices), else null. */
  detail(reason: SuppressionReason, nowMs: number, instrument: Instrument): string | null {
    const book = this.currentBook;
    switch (reason) {
      case 'ws_disconnected':
        return [this.marketConnected ? null : 'market', this.userConnected ? null : 'user'].filter((s) => s !== null).join(',');
      case 'stale_book':
        return book === null ? null : `no book update for ${nowMs - this.bookReceivedAtMs} ms`;
      case 'crossed_book':
        return book === null ? null : `bid ${instrument.formatPrice(book.bidTicks)}, ask ${instrument.formatPrice(book.askTicks)}`;
      default:
        return null;
    }
  }
}
