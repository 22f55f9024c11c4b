/**
 * A local order book kept from Binance diff-depth events, following the documented procedure:
 * buffer events, fetch a snapshot, drop events with u < lastUpdateId, start at the event with
 * U <= lastUpdateId <= u, then require each event's pu to equal the previous u (else resync).
 */
import type { Steps, Ticks } from '../core/instrument.ts';
import type { DepthDiff, DepthSnapshot } from '../core/model.ts';

export type BookState = 'idle' | 'buffering' | 'synced';

export interface LocalBookOptions {
  readonly symbol: string;
  /** Fetches a REST depth snapshot (GET /fapi/v1/depth). */
  readonly fetchSnapshot: (symbol: string) => Promise<DepthSnapshot>;
  /** Called when the book is rebuilt or falls out of sync. */
  readonly onResync: (symbol: string, reason: string) => void;
  /** Events buffered while waiting for a snapshot before the oldest are dropped. */
  readonly maxBuffered?: number;
}

export interface BookLevel {
  readonly priceTicks: Ticks;
  readonly qtySteps: Steps;
}

export class LocalBook {
  readonly symbol: string;
  private readonly fetchSnapshot: (symbol: string) => Promise<DepthSnapshot>;
  private readonly onResync: (symbol: string, reason: string) => void;
  private readonly maxBuffered: number;
  private readonly bids = new Map<Ticks, Steps>();
  private readonly asks = new Map<Ticks, Steps>();
  private buffer: DepthDiff[] = [];
  private state: BookState = 'idle';
  private lastFinalId = -1;
  /** Synced from a snapshot that no buffered event bridged yet: the next event must have U <= lastUpdateId <= u. */
  private needBridge = false;
  private generation = 0;

  constructor(options: LocalBookOptions) {
    this.symbol = options.symbol;
    this.fetchSnapshot = options.fetchSnapshot;
    this.onResync = options.onResync;
    this.maxBuffered = options.maxBuffered ?? 10_000;
  }

  /** Returns the sync state. */
  status(): BookState {
    return this.state;
  }

  /** Returns the last applied final update id (u), or -1. */
  lastUpdateId(): number {
    return this.lastFinalId;
  }

  /** Applies one diff event; starts a (re)sync when needed. */
  apply(diff: DepthDiff): void {
    if (this.state !== 'synced') {
      this.buffer.push(diff);
      if (this.buffer.length > this.maxBuffered) this.buffer.shift();
      if (this.state === 'idle') this.resync('initial snapshot');
      return;
    }
    if (this.needBridge) {
      if (diff.finalUpdateId < this.lastFinalId) return;
      if (diff.firstUpdateId <= this.lastFinalId) {
        this.needBridge = false;
        this.applyLevels(diff);
        return;
      }
    }
    if (this.needBridge || diff.prevFinalUpdateId !== this.lastFinalId) {
      this.buffer = [diff];
      this.resync(`gap: pu ${diff.prevFinalUpdateId} != last u ${this.lastFinalId}`);
      return;
    }
    this.applyLevels(diff);
  }

  /** Drops the book (e.g. the socket closed); the next event starts a new sync. */
  reset(): void {
    this.generation++;
    this.state = 'idle';
    this.buffer = [];
    this.bids.clear();
    this.asks.clear();
    this.lastFinalId = -1;
    this.needBridge = false;
  }

  /** Returns the best bid, or null when the book is not synced or empty. */
  bestBid(): BookLevel | null {
    return this.best(this.bids, true);
  }

  /** Returns the best ask, or null when the book is not synced or empty. */
  bestAsk(): BookLevel | null {
    return this.best(this.asks, false);
  }

  /** Returns up to `levels` levels per side, best first (empty while not synced). */
  depth(levels: number): { bids: BookLevel[]; asks: BookLevel[] } {
    if (this.state !== 'synced') return { bids: [], asks: [] };
    return { bids: this.side(this.bids, true, levels), asks: this.side(this.asks, false, levels) };
  }

  private resync(reason: string): void {
    this.state = 'buffering';
    this.bids.clear();
    this.asks.clear();
    this.lastFinalId = -1;
    this.needBridge = false;
    const generation = ++this.generation;
    this.notify(reason);
    this.fetchSnapshot(this.symbol).then(
      (snapshot) => {
        if (generation === this.generation) this.install(snapshot);
      },
      (error: unknown) => {
        if (generation !== this.generation) return;
        this.state = 'idle';
        this.notify(`snapshot failed: ${error instanceof Error ? error.message : String(error)}`);
      },
    );
  }

  private install(snapshot: DepthSnapshot): void {
    const last = snapshot.lastUpdateId;
    const pending = this.buffer.filter((d) => d.finalUpdateId >= last);
    const first = pending[0];
    if (first !== undefined && first.firstUpdateId > last) {
      this.buffer = pending;
      this.resync(`snapshot ${last} older than first buffered U ${first.firstUpdateId}`);
      return;
    }
    for (const [price, qty] of snapshot.bids) this.set(this.bids, price, qty);
    for (const [price, qty] of snapshot.asks) this.set(this.asks, price, qty);
    this.lastFinalId = last;
    this.buffer = [];
    this.state = 'synced';
    this.needBridge = first === undefined;
    this.notify(`synced at ${last}`);
    let expectFirst = true;
    for (const diff of pending) {
      if (!expectFirst && diff.prevFinalUpdateId !== this.lastFinalId) {
        this.buffer = [diff];
        this.resync(`gap in buffer: pu ${diff.prevFinalUpdateId} != last u ${this.lastFinalId}`);
        return;
      }
      expectFirst = false;
      this.applyLevels(diff);
    }
  }

  private applyLevels(diff: DepthDiff): void {
    for (const [price, qty] of diff.bids) this.set(this.bids, price, qty);
    for (const [price, qty] of diff.asks) this.set(this.asks, price, qty);
    this.lastFinalId = diff.finalUpdateId;
  }

  private set(side: Map<Ticks, Steps>, price: Ticks, qty: Steps): void {
    if (qty === 0) side.delete(price);
    else side.set(price, qty);
  }

  private best(side: Map<Ticks, Steps>, highest: boolean): BookLevel | null {
    if (this.state !== 'synced') return null;
    let bestPrice: Ticks | null = null;
    for (const price of side.keys()) {
      if (bestPrice === null || (highest ? price > bestPrice : price < bestPrice)) bestPrice = price;
    }
    return bestPrice === null ? null : { priceTicks: bestPrice, qtySteps: side.get(bestPrice) ?? 0 };
  }

  private side(side: Map<Ticks, Steps>, descending: boolean, levels: number): BookLevel[] {
    const prices = [...side.keys()].sort((a, b) => (descending ? b - a : a - b)).slice(0, levels);
    return prices.map((price) => ({ priceTicks: price, qtySteps: side.get(price) ?? 0 }));
  }

  private notify(reason: string): void {
    try {
      this.onResync(this.symbol, reason);
    } catch {
      // A listener failure must not break the book.
    }
  }
}
