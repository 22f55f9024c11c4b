/**
 * The last part of a graceful stop: clear a symbol at the venue and find out what it really
 * holds. Cancel-all and the open-orders check are urgent requests (a 429 back-off does not hold
 * them); a venue that keeps refusing is retried after its Retry-After, within the stop's budget.
 * The answer is the venue's own count, or null when it could not be read: never a guess.
 */
import { sleep, type Clock } from '../core/clock.ts';
import type { Venue } from '../core/venue.ts';

export interface ClearResult {
  /** Orders the venue listed before the first cancel (null when it never answered). */
  readonly before: number | null;
  /** Orders the venue listed at the last check: 0 when cleared, null when unknown. */
  readonly left: number | null;
  /** The last failure, when the symbol was not confirmed clear. */
  readonly error: string | null;
}

export interface ClearOptions {
  readonly venue: Pick<Venue, 'openOrders' | 'cancelAllOpenOrders' | 'cancelOrder'>;
  readonly clock: Clock;
  readonly symbol: string;
  /** Monotonic deadline (ns) after which no request is started. */
  readonly deadlineNs: bigint;
  /**
   * Our orders only (by client id) instead of cancel-all: when another instance trades the same
   * symbol on the account, its orders are not ours to cancel.
   */
  readonly onlyOurs?: (clientOrderId: string) => boolean;
  /** Wall time (ms) before which an order sent with an unknown outcome may still appear at the venue. */
  readonly lateArrivalUntilMs?: number | null;
}

/** Wait between attempts when the venue gave no Retry-After, ms (grows per attempt). */
const RETRY_STEP_MS = 200;

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

function retryAfterOf(error: unknown): number | null {
  const value = (typeof error === 'object' && error !== null ? error : {}) as { retryAfterMs?: unknown };
  return typeof value.retryAfterMs === 'number' ? value.retryAfterMs : null;
}

/** Cancels the symbol's orders until the venue lists none (and no late order can still appear), or the deadline. */
export async function clearSymbol(options: ClearOptions): Promise<ClearResult> {
  const { venue, clock, symbol, deadlineNs } = options;
  const remainingMs = (): number => Number((deadlineNs - clock.monoNs()) / 1_000_000n);
  let before: number | null = null;
  let left: number | null = null;
  let error: string | null = null;
  for (let attempt = 1; remainingMs() > 0; attempt++) {
    let waitMs = RETRY_STEP_MS * attempt;
    try {
      const open = await venue.openOrders(symbol, { urgent: true });
      before ??= open.length;
      const targets = options.onlyOurs === undefined ? open : open.filter((o) => options.onlyOurs?.(o.clientOrderId) === true);
      const lateUntil = options.lateArrivalUntilMs ?? null;
      if (targets.length === 0 && (lateUntil === null || clock.nowMs() >= lateUntil)) {
        left = 0;
        error = null;
        break;
      }
      if (targets.length > 0) {
        if (options.onlyOurs === undefined) {
          const outcome = await venue.cancelAllOpenOrders(symbol);
          if (outcome.kind === 'rejected') waitMs = outcome.retryAfterMs ?? waitMs;
          if (outcome.kind !== 'accepted') error = outcome.kind === 'rejected' ? outcome.reason : `cancel-all ${outcome.kind}: ${outcome.reason}`;
        } else {
          for (const o of targets) await venue.cancelOrder({ symbol, clientOrderId: o.clientOrderId });
        }
        const after = await venue.openOrders(symbol, { urgent: true });
        left = options.onlyOurs === undefined ? after.length : after.filter((o) => options.onlyOurs?.(o.clientOrderId) === true).length;
        if (left === 0 && (lateUntil === null || clock.nowMs() >= lateUntil)) {
          error = null;
          break;
        }
      } else {
        left = 0;
        // An order sent with an unknown outcome may still reach the matching engine: look again once it cannot.
        waitMs = Math.max(1, (lateUntil ?? 0) - clock.nowMs());
      }
    } catch (e) {
      error = errorText(e);
      left = null;
      waitMs = retryAfterOf(e) ?? waitMs;
    }
    const remaining = remainingMs();
    if (remaining <= 0) break;
    await sleep(clock, Math.min(waitMs, remaining));
  }
  if (left === 0 && options.lateArrivalUntilMs != null && clock.nowMs() < options.lateArrivalUntilMs) left = null;
  return { before, left, error: left === 0 ? null : (error ?? (left === null ? 'not confirmed before the deadline' : `${left} orders left`)) };
}
