/** Failures of the adapter's calls turned into the core's four command outcomes. */
import type { CommandOutcome } from '../core/model.ts';
import { ExchangeError, WireFormatError } from './errors.ts';

/** Returns an ExchangeError/WireFormatError as a command outcome; rethrows anything else. */
export function failure(error: unknown): CommandOutcome<never> {
  if (error instanceof ExchangeError) {
    if (error.outcome === 'ambiguous') return { kind: 'ambiguous', reason: error.message };
    const rejected = { kind: 'rejected' as const, code: error.binanceCode ?? 0, reason: error.message, httpStatus: error.httpStatus ?? 0 };
    // The venue's Retry-After must reach the runner's back-off, not just the REST client's.
    return error.retryAfterMs === null ? rejected : { ...rejected, retryAfterMs: error.retryAfterMs };
  }
  if (error instanceof WireFormatError) {
    // The venue answered 2xx with something we cannot read: it may have acted.
    return { kind: 'ambiguous', reason: `unreadable response: ${error.message}` };
  }
  throw error;
}
