/**
 * The soak (`npm run test:soak`, MM_SOAK_MS per transport, default 10 minutes): once with orders
 * over the WebSocket API (the default, REST taking over while it is down) and once over REST
 * alone, the runner quotes three levels a side with no requote tolerance on a fast market (a high order rate; the simulator's rate
 * limits raised to allow it) while a seeded schedule injects a random fault every few seconds:
 * 5xx bursts, 503 "unknown" (created or not), held requests (client timeouts), connection resets,
 * 429 with Retry-After (also one longer than the dead-man countdown), -1021, latency, steps of the
 * runner's wall clock, market and user sockets dropped or silent, malformed frames; over the
 * WebSocket API also its socket dropped mid-order (processed or not), held answers, unknown
 * outcomes (created or not) and outages during which REST takes over. User-stream
 * outages are injected just before a funding time, so that they span it: fills made meanwhile are
 * read back from the trade history at reconnect, and the funding paid meanwhile from the income
 * history.
 * At the end the market is paused and the runner's orders, position, fees, funding and fill
 * count must equal the simulator's to the tick (realized PnL within the cost-basis rounding,
 * see `realizedGap`); no slot ever held two orders; no order ever rested at the simulator
 * without its dead-man countdown armed; stop leaves nothing open.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Prng } from '../../src/sim/prng.ts';
import { exact, FAST_STREAMS, realizedGap, REALIZED_ROUNDING_PER_FILL, sleep, startSession, watchOpenOrders, type Session } from './harness.ts';
import { SystemClock } from '../../src/runner/clocks.ts';

const SOAK_MS = Number(process.env.MM_SOAK_MS ?? 600_000);
const LEVELS = 3;
const FUNDING_MS = 20_000;
/** The soak's dead-man countdown (the harness's MM_DEADMAN_MS). */
const DEADMAN_MS = 10_000;

/** The runner's wall clock: the system's, plus an offset the 'clock step' fault moves. */
class SteppedClock extends SystemClock {
  offsetMs = 0;
  override nowMs(): number {
    return super.nowMs() + this.offsetMs;
  }
  override preciseNowMs(): number {
    return super.preciseNowMs() + this.offsetMs;
  }
}

/** Waits until about half a second before the next funding time (the simulator pays funding on interval boundaries). */
async function beforeFunding(): Promise<void> {
  const untilFunding = FUNDING_MS - (Date.now() % FUNDING_MS);
  await sleep(untilFunding > 500 ? untilFunding - 500 : untilFunding + FUNDING_MS - 500);
}

/** Keeps the market sockets silent for `ms`, including those the runner opens meanwhile. */
async function silence(f: Session['sim']['faults'], target: 'market', ms: number): Promise<void> {
  f.silenceSockets(target, true, { includingNew: true });
  await sleep(ms);
  f.silenceSockets(target, false);
}

/** Records every sample in which an order of ours rested at the simulator with its countdown not armed. */
function watchDeadman(session: Session): { samples: () => string[]; stop: () => void } {
  const found: string[] = [];
  const timer = setInterval(() => {
    const open = session.sim.state().openOrders.length;
    const deadline = session.sim.exchange.engine.countdownDeadline('BTCUSDT');
    if (open > 0 && (deadline === null || deadline <= session.sim.exchange.clock.nowMs()) && found.length < 20)
      found.push(`${new Date().toISOString()}: ${open} resting, countdown ${String(deadline)}`);
  }, 100);
  return { samples: () => found, stop: () => clearInterval(timer) };
}
type Fault = { readonly name: string; readonly run: () => Promise<void> };
type Transport = 'ws' | 'rest';

function faults(session: Session, prng: Prng, steppedClock: SteppedClock, transport: Transport): Fault[] {
  const f = session.sim.faults;
  const wsApi: Fault[] = [
    {
      name: 'ws-api drop mid-order',
      run: async () => (f.armWsApiFault({ kind: 'drop', processed: prng.chance(0.5) }, { method: 'order.place' }), await sleep(1_500)),
    },
    // Longer than MM_REQUEST_TIMEOUT_MS: the order is ambiguous, answered after the client gave up.
    { name: 'ws-api held answer', run: async () => (f.armWsApiFault({ kind: 'hold', ms: 3_000 }, { method: 'order.place' }), await sleep(4_000)) },
    {
      name: 'ws-api unknown outcome',
      run: async () => (
        f.armWsApiFault({ kind: 'unknown', mode: prng.chance(0.5) ? 'created' : 'not-created' }, { method: 'order.place', count: 2 }),
        await sleep(1_500)
      ),
    },
    { name: 'ws-api outage', run: async () => (f.setWsApiDown(true), await sleep(4_000), f.setWsApiDown(false), await sleep(1_000)) },
  ];
  return [
    ...(transport === 'ws' ? wsApi : []),
    { name: '5xx burst', run: async () => (f.setHttpErrorRates(0.2, 0.1), await sleep(2_000), f.setHttpErrorRates(0, 0)) },
    { name: '503 created', run: async () => (f.setOrder503(0.3, 'created'), await sleep(2_000), f.setOrder503(0, 'created')) },
    { name: '503 not created', run: async () => (f.setOrder503(0.3, 'not-created'), await sleep(2_000), f.setOrder503(0, 'not-created')) },
    { name: 'held requests', run: async () => (f.holdRequests(1_000 + Math.floor(prng.next() * 3_500), 2), await sleep(5_000)) },
    { name: 'connection resets', run: async () => (f.resetConnections(3), await sleep(1_000)) },
    { name: '429 Retry-After', run: async () => (f.force429(1, 1), await sleep(1_500)) },
    // A back-off longer than the dead-man countdown: its refreshes must go on through it.
    { name: '429 across dead-man refreshes', run: async () => (f.force429(1, (DEADMAN_MS + 2_000) / 1000), await sleep(DEADMAN_MS + 3_000)) },
    // The runner's wall clock jumps (an NTP step) and, on the next fault of this kind, jumps back.
    { name: 'clock step', run: async () => ((steppedClock.offsetMs = steppedClock.offsetMs === 0 ? 3_000 : 0), await sleep(2_000)) },
    { name: '-1021', run: async () => (f.forceTimestampErrors(2), await sleep(1_000)) },
    { name: 'latency', run: async () => (f.setLatency(300, 400), await sleep(3_000), f.setLatency(0, 0)) },
    { name: 'market drop', run: async () => (f.dropSockets('market', prng.chance(0.5) ? 1001 : null), await sleep(1_500)) },
    { name: 'market silent', run: () => silence(f, 'market', 3_000) },
    { name: 'user drop', run: async () => (await beforeFunding(), f.dropSockets('user', prng.chance(0.5) ? 1001 : null), await sleep(1_500)) },
    // Silenced once and never un-silenced: the runner must notice (ping timeout) and replace it.
    // A socket un-silenced before that would have dropped events on a connection still open,
    // which neither Binance nor TCP does.
    { name: 'user silent', run: async () => (await beforeFunding(), f.silenceSockets('user', true), await sleep(4_000)) },
    {
      name: 'malformed frames',
      run: async () => (f.injectFrame('all', '{"stream":"btcusdt@bookTicker","data":{"u":"?"}}'), f.injectFrame('all', 'garbage'), await sleep(200)),
    },
  ];
}

function soak(transport: Transport): void {
  let s: Session;
  let watcher: ReturnType<typeof watchOpenOrders>;
  let unguarded: { samples: () => string[]; stop: () => void };
  const injected = new Map<string, number>();
  const steppedClock = new SteppedClock();

  describe(`soak over ${transport === 'ws' ? 'the WebSocket API' : 'REST'}: ${Math.round(SOAK_MS / 60_000)} min of trading under random faults`, () => {
    beforeAll(async () => {
      s = await startSession({
        sim: { seed: 2024, volatilityBps: 1.5, fundingIntervalMs: FUNDING_MS, rateLimits: { orders10s: 5_000, orders1m: 30_000, weight1m: 200_000 } },
        env: {
          MM_ORDER_TRANSPORT: transport,
          MM_LEVELS: String(LEVELS),
          MM_LEVEL_SPACING_BPS: '0.5',
          MM_REQUOTE_TOLERANCE_TICKS: '0',
          MM_SNAPSHOT_INTERVAL_S: '10',
          MM_SOFT_POSITION_NOTIONAL: '2000',
          MM_HARD_POSITION_NOTIONAL: '4000',
          MM_MAX_WORST_CASE_NOTIONAL: '6000',
        },
        tuning: FAST_STREAMS,
        clock: steppedClock,
        keepEvents: new Set(['order_submit', 'order_submit_result', 'order_filled']),
      });
      watcher = watchOpenOrders(s, 50);
      unguarded = watchDeadman(s);
      const prng = new Prng(77);
      const menu = faults(s, prng, steppedClock, transport);
      const end = Date.now() + SOAK_MS;
      while (Date.now() < end) {
        await sleep(2_000 + Math.floor(prng.next() * 4_000));
        const fault = menu[Math.floor(prng.next() * menu.length)];
        if (fault === undefined) continue;
        injected.set(fault.name, (injected.get(fault.name) ?? 0) + 1);
        await fault.run();
      }
      s.sim.faults.reset();
    }, SOAK_MS + 120_000);

    afterAll(async () => {
      watcher?.stop();
      unguarded?.stop();
      await s?.close();
    });

    it('traded at a high order rate and met every kind of fault', () => {
      const submits = s.named('order_submit').length;
      process.stdout.write(
        `soak: ${submits} orders in ${SOAK_MS / 1000} s (${(submits / (SOAK_MS / 1000)).toFixed(1)}/s), ${s.named('order_filled').length} fills, faults ${JSON.stringify(Object.fromEntries(injected))}\n`,
      );
      expect(submits).toBeGreaterThan(SOAK_MS / 1000);
      expect(s.named('order_filled').length).toBeGreaterThan(10);
      if (SOAK_MS >= 600_000) expect(injected.size).toBe(faults(s, new Prng(1), steppedClock, transport).length);
      // Orders went the way asked: over the WebSocket API, REST only while it was down.
      const transports = new Set(s.named('order_submit_result').map((e) => e.fields.transport));
      if (transport === 'rest') expect([...transports]).toEqual(['rest']);
      else expect(transports.has('ws')).toBe(true);
    });

    it('never let an order rest without the dead-man countdown armed, through 429 back-offs and clock steps', () => {
      expect(unguarded.samples()).toEqual([]);
    });

    it('never held two orders in one slot', () => {
      for (const [key, max] of watcher.perKey()) {
        expect(max, `${key} (worst: ${watcher.worst()})`).toBeLessThanOrEqual(key.endsWith(':q') ? LEVELS : 1);
      }
    });

    it("ends with the simulator's orders, position, fees, funding and fills, to the tick", async () => {
      const books = await s.quiesce();
      expect(exact(books.runner), JSON.stringify(books)).toEqual(exact(books.sim));
      // Every trade (all of them ours) seen exactly once, live or read back after a user-stream outage.
      expect(s.named('order_filled').length).toBe(s.sim.state().trades.length);
      expect(realizedGap(books) <= BigInt(s.named('order_filled').length) * REALIZED_ROUNDING_PER_FILL, JSON.stringify(books)).toBe(true);
      expect(s.sim.state().fundingPayments.length).toBeGreaterThan(0);
    }, 60_000);

    it('stops leaving no order open', async () => {
      s.resumeMarket();
      await s.app.stop('soak_end');
      expect(s.sim.state().openOrders).toEqual([]);
    }, 60_000);
  });
}

soak('ws');
soak('rest');
