/**
 * Client order ids: `<prefix>-<sessionId>-<tag><counter>`, e.g. `mm-m3k2x9q1-q1f`. The session id
 * (the start time in base 36) keeps ids unique across restarts; the counter keeps them unique
 * within a session; the tag says what the order was for (q quote, r reduce-only force, g grind).
 */

/** Binance's newClientOrderId pattern. */
export const CLIENT_ORDER_ID_PATTERN = /^[.A-Z:/a-z0-9_-]{1,36}$/;

const PREFIX_PATTERN = /^[.A-Z:/a-z0-9_-]{1,10}$/;
const SESSION_PATTERN = /^[0-9a-z]{1,12}$/;

/** What an order was placed for, written into its client id. */
export type ClientOrderTag = 'q' | 'r' | 'g';

/** Returns true when `id` was generated with `prefix` (by this or an earlier session). */
export function isOurClientOrderId(prefix: string, id: string): boolean {
  return id.startsWith(`${prefix}-`);
}

/** Returns the session id of a client id generated with `prefix` (`<prefix>-<session>-...`), or null. */
export function sessionOf(prefix: string, id: string): string | null {
  if (!isOurClientOrderId(prefix, id)) return null;
  const session = id.slice(prefix.length + 1).split('-')[0] ?? '';
  return SESSION_PATTERN.test(session) ? session : null;
}

/** Generates unique client order ids for one session. */
export class ClientOrderIds {
  readonly prefix: string;
  readonly sessionId: string;
  private counter = 0;

  /** Throws when the prefix or session id would produce ids Binance rejects. */
  constructor(prefix: string, sessionId: string) {
    if (!PREFIX_PATTERN.test(prefix)) throw new RangeError(`client id prefix "${prefix}" must match ${PREFIX_PATTERN.source}`);
    if (!SESSION_PATTERN.test(sessionId)) throw new RangeError(`session id "${sessionId}" must match ${SESSION_PATTERN.source}`);
    this.prefix = prefix;
    this.sessionId = sessionId;
  }

  /** Returns the next unused client id for an order of kind `tag`. */
  next(tag: ClientOrderTag): string {
    this.counter += 1;
    const id = `${this.prefix}-${this.sessionId}-${tag}${this.counter.toString(36)}`;
    if (!CLIENT_ORDER_ID_PATTERN.test(id)) throw new RangeError(`generated client id "${id}" is not a valid Binance client id`);
    return id;
  }

  /** Returns how many ids were generated. */
  get issued(): number {
    return this.counter;
  }
}
