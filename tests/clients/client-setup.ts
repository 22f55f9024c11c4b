/**
 * What the client contract suites share: the two real clients pointed at a simulator exactly as
 * README's "The simulator" section tells users to, a market stepper the tests can pause (so a
 * REST answer and a client's view can be compared at one moment), and a local order book kept
 * from diff-depth events the way Binance documents it.
 */
import { DerivativesTradingUsdsFutures } from '@binance/derivatives-trading-usds-futures';
import ccxt from 'ccxt';
import { parseScaled } from '../../src/core/decimal.ts';
import type { SimulatorHandle } from '../../src/sim/index.ts';

/** ccxt's USDⓈ-M client with its WebSocket methods (ccxt.pro). */
export type CcxtUsdm = InstanceType<typeof ccxt.pro.binanceusdm>;

/** The ccxt URL entries of Binance USDⓈ-M REST, all under https://fapi.binance.com. */
const CCXT_FAPI_URLS = ['fapiPublic', 'fapiPublicV2', 'fapiPublicV3', 'fapiPrivate', 'fapiPrivateV2', 'fapiPrivateV3', 'fapiData'] as const;

/** Returns ccxt's binanceusdm (REST and WebSocket) pointed at the simulator, as README documents. */
export async function ccxtClient(sim: SimulatorHandle): Promise<CcxtUsdm> {
  const exchange = new ccxt.pro.binanceusdm({
    apiKey: sim.apiKey,
    secret: sim.apiSecret,
    // fetchCurrencies calls the spot wallet (api.binance.com), which the simulator does not serve;
    // the simulator has no @trade stream, so watchTrades reads @aggTrade.
    options: { fetchCurrencies: false, watchTrades: { name: 'aggTrade' } },
  });
  const api = exchange.urls['api'] as Record<string, unknown> & { ws: Record<string, unknown> };
  for (const name of CCXT_FAPI_URLS) api[name] = String(api[name]).replace('https://fapi.binance.com', sim.restUrl);
  api.ws['future'] = `${sim.wsUrl}/ws`;
  // ccxt opens ws:// (not wss://) URLs only through an HTTP agent it loads on request.
  await exchange.loadHttpProxyAgent();
  return exchange;
}

/** Returns the official connector pointed at the simulator, as README documents. */
export function connectorClient(sim: SimulatorHandle): DerivativesTradingUsdsFutures {
  return new DerivativesTradingUsdsFutures({
    configurationRestAPI: { apiKey: sim.apiKey, apiSecret: sim.apiSecret, basePath: sim.restUrl, timeout: 10_000 },
    configurationWebsocketStreams: { wsURL: sim.wsUrl },
  });
}

/** Steps a simulator started with `autoStep: false` on a timer that tests can pause. */
export class Stepper {
  private timer: NodeJS.Timeout | null = null;
  private readonly sim: SimulatorHandle;
  private readonly periodMs: number;

  constructor(sim: SimulatorHandle, periodMs = 50) {
    this.sim = sim;
    this.periodMs = periodMs;
  }

  resume(): void {
    this.timer ??= setInterval(() => this.sim.step(), this.periodMs);
  }

  /** Stops the market: nothing changes until resume(), so REST and streams can be compared. */
  pause(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.timer = null;
  }
}

/** A diff-depth event as Binance sends it (update ids may arrive as bigints from the connector). */
export interface DepthEvent {
  readonly U?: number | bigint;
  readonly u?: number | bigint;
  readonly pu?: number | bigint;
  readonly b?: string[][];
  readonly a?: string[][];
}

/** A depth snapshot from GET /fapi/v1/depth. */
export interface DepthSnapshot {
  readonly lastUpdateId: number | bigint;
  readonly bids: string[][];
  readonly asks: string[][];
}

/**
 * A local order book kept as Binance's "How to manage a local order book correctly" says:
 * buffer events, take a snapshot, drop events with u < lastUpdateId, start with the event
 * where U <= lastUpdateId <= u, then require each event's pu to equal the previous u.
 */
export class LocalBook {
  private readonly buffered: DepthEvent[] = [];
  private readonly bids = new Map<string, string>();
  private readonly asks = new Map<string, string>();
  private lastU: bigint | null = null;
  /** Set when an event broke the pu chain. */
  gap = false;

  /** How many events wait for the snapshot. */
  get bufferedCount(): number {
    return this.buffered.length;
  }

  /** The update id of the last applied event (null before the snapshot). */
  get updateId(): bigint | null {
    return this.lastU;
  }

  /** Takes one diff event (buffered until the snapshot). */
  onEvent(event: DepthEvent): void {
    if (this.lastU === null) {
      this.buffered.push(event);
      return;
    }
    this.apply(event);
  }

  /** Starts from a snapshot, then applies the buffered events that follow it. */
  start(snapshot: DepthSnapshot): void {
    const last = BigInt(snapshot.lastUpdateId);
    for (const [price, qty] of snapshot.bids) this.bids.set(price!, qty!);
    for (const [price, qty] of snapshot.asks) this.asks.set(price!, qty!);
    this.lastU = last;
    let first = true;
    for (const event of this.buffered.splice(0)) {
      if (BigInt(event.u ?? 0) < last) continue;
      if (first && BigInt(event.U ?? 0) > last) this.gap = true;
      first = false;
      this.lastU = BigInt(event.pu ?? 0);
      this.apply(event);
    }
  }

  /** Returns the best `n` levels of a side, best first, as [price, qty] strings. */
  best(side: 'bids' | 'asks', n: number): string[][] {
    const levels = side === 'bids' ? this.bids : this.asks;
    const sorted = [...levels].sort(([a], [b]) => {
      const diff = parseScaled(a, 8) - parseScaled(b, 8);
      return (side === 'bids' ? -diff : diff) > 0n ? 1 : -1;
    });
    return sorted.slice(0, n);
  }

  private apply(event: DepthEvent): void {
    if (BigInt(event.pu ?? 0) !== this.lastU) this.gap = true;
    for (const [price, qty] of event.b ?? []) update(this.bids, price!, qty!);
    for (const [price, qty] of event.a ?? []) update(this.asks, price!, qty!);
    this.lastU = BigInt(event.u ?? 0);
  }
}

function update(levels: Map<string, string>, price: string, qty: string): void {
  if (parseScaled(qty, 8) === 0n) levels.delete(price);
  else levels.set(price, qty);
}
