/**
 * The account's user-data-stream listenKey, as Binance manages it: one active key, valid for
 * 60 minutes after creation or the last keepalive; POST while a key is live returns that key
 * and extends it; PUT on no live key is -1125.
 */
import { randomBytes } from 'node:crypto';

export const LISTEN_KEY_VALIDITY_MS = 60 * 60 * 1000;

export class ListenKeys {
  private key: string | null = null;
  private expiresAtMs = 0;
  private readonly validityMs: number;

  constructor(validityMs = LISTEN_KEY_VALIDITY_MS) {
    this.validityMs = validityMs;
  }

  /** Returns the live key (extended) or a new one. */
  create(nowMs: number): string {
    if (this.key === null || nowMs >= this.expiresAtMs) this.key = newKey();
    this.expiresAtMs = nowMs + this.validityMs;
    return this.key;
  }

  /** Extends the live key; returns it, or null when no key is live (-1125). */
  keepAlive(nowMs: number): string | null {
    if (this.key === null || nowMs >= this.expiresAtMs) return null;
    this.expiresAtMs = nowMs + this.validityMs;
    return this.key;
  }

  /** Invalidates the live key; returns it (null when none). */
  close(): string | null {
    const key = this.key;
    this.key = null;
    return key;
  }

  /** Returns the live key without extending it, or null. */
  live(nowMs: number): string | null {
    return this.key !== null && nowMs < this.expiresAtMs ? this.key : null;
  }

  /** Returns true when `key` is the live key. */
  isLive(key: string, nowMs: number): boolean {
    return this.key !== null && key === this.key && nowMs < this.expiresAtMs;
  }

  /** Returns the key that has just run out (once), or null. */
  takeExpired(nowMs: number): string | null {
    if (this.key === null || nowMs < this.expiresAtMs) return null;
    return this.close();
  }

  /** Returns the ms the live key still has, or null when none. */
  remainingMs(nowMs: number): number | null {
    return this.key === null ? null : Math.max(0, this.expiresAtMs - nowMs);
  }
}

function newKey(): string {
  return randomBytes(64)
    .toString('base64')
    .replace(/[^A-Za-z0-9]/g, '')
    .slice(0, 64);
}
