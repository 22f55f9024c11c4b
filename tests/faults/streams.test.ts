/**
 * Stream faults against a trading runner: market and user sockets dropped (the user socket in
 * the middle of a fill), silent sockets that neither close nor talk, listenKeyExpired, -1125 on
 * keepalive, and malformed or unknown frames. Quoting must be suppressed while blind (resting
 * quotes cancelled at the simulator, /ready 503, mm_ws_connected 0) and resume after
 * reconciliation, with the runner's position and orders equal to the simulator's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DomainEvent } from '../../src/core/events.ts';
import { FAST_STREAMS, money8, REALIZED_ROUNDING_PER_FILL, sample, sleep, startSession, until, type Session } from './harness.ts';

let s: Session;

async function trading(): Promise<void> {
  const from = s.events.length;
  await until('orders placed again', () => s.named('order_placed', from).length >= 2, 20_000);
}

/**
 * Keeps `target` blind for `ms` and samples /ready and metrics meanwhile. Market sockets the
 * runner opens meanwhile are silent from the start; user sockets are re-silenced as they appear
 * (a standing silence would outlive the test, see below).
 */
async function blind(target: 'market' | 'user', ms: number): Promise<{ ready: number[]; wsGauge: number[]; quotesAtSim: number[] }> {
  const seen = { ready: [] as number[], wsGauge: [] as number[], quotesAtSim: [] as number[] };
  const end = Date.now() + ms;
  while (Date.now() < end) {
    s.sim.faults.silenceSockets(target, true, { includingNew: target === 'market' });
    seen.ready.push(await s.readyStatus());
    seen.wsGauge.push(sample(await s.metrics(), 'mm_ws_connected', { stream: target }) ?? -1);
    seen.quotesAtSim.push(s.sim.state().openOrders.filter((o) => String(o.clientOrderId).split('-')[2]?.startsWith('q')).length);
    await sleep(100);
  }
  if (target === 'user') {
    // Un-silencing would drop the events of a connection that stays open, which no exchange
    // does (and the runner could not notice): silence what is open and let the runner replace it.
    const mark = s.events.length;
    s.sim.faults.silenceSockets('user', true);
    await until('the silenced user socket to be replaced', () => s.named('ws_connected', mark).some((e) => e.fields.stream === 'user'), 10_000);
  } else {
    s.sim.faults.silenceSockets(target, false);
  }
  return seen;
}

beforeAll(async () => {
  s = await startSession({ tuning: FAST_STREAMS });
  await until('first quotes', () => s.openAtSim().total >= 2);
}, 30_000);

afterAll(async () => {
  await s?.close();
});

describe('stream faults', () => {
  it('a silent market socket is detected, quoting is suppressed and quotes cancelled while blind, then it resumes', async () => {
    const from = s.events.length;
    const seen = await blind('market', 5_000);
    const down = s.named('ws_disconnected', from).filter((e) => e.fields.stream === 'market');
    expect(down.length).toBeGreaterThan(0);
    expect(down.some((e) => /ping timeout/.test(String(e.fields.reason)))).toBe(true);
    expect(s.named('quote_suppressed', from).some((e) => e.fields.reason === 'ws_disconnected' || e.fields.reason === 'no_book')).toBe(true);
    // Blind: /ready failed, the gauge showed it, and no quote was left resting at the simulator.
    expect(seen.ready).toContain(503);
    expect(seen.wsGauge).toContain(0);
    expect(seen.quotesAtSim.slice(-10)).toContain(0);
    await until('quoting to resume', () => s.named('quote_resumed', from).length > 0);
    await trading();
    expect(await s.readyStatus()).toBe(200);
  }, 40_000);

  it("a user socket dropped in the middle of a fill: suppressed, reconciled, position equal to the simulator's", async () => {
    const from = s.events.length;
    let dropped = 0;
    const listener = (event: DomainEvent): void => {
      if (dropped === 0 && event.event === 'order_filled') dropped = s.sim.faults.dropSockets('user');
    };
    const unsubscribe = s.app.bus.subscribe(listener);
    try {
      await until('a fill to drop the user socket on', () => dropped > 0, 30_000);
    } finally {
      unsubscribe();
    }
    await until('the user stream to reconnect and reconcile', () => s.named('reconcile_done', from).length > 0, 15_000);
    expect(s.named('ws_disconnected', from).some((e) => e.fields.stream === 'user')).toBe(true);
    expect(s.named('quote_suppressed', from).some((e) => e.fields.reason === 'not_reconciled' || e.fields.reason === 'ws_disconnected')).toBe(true);
    const books = await s.quiesce();
    expect(books.runner.position).toBe(books.sim.position);
    expect(books.runner.openOrders).toBe(books.sim.openOrders);
    s.resumeMarket();
    await trading();
  }, 60_000);

  it('a silent user socket is detected and replaced, with a reconciliation', async () => {
    const from = s.events.length;
    const seen = await blind('user', 3_500);
    expect(s.named('ws_disconnected', from).some((e) => e.fields.stream === 'user' && /ping timeout/.test(String(e.fields.reason)))).toBe(true);
    expect(seen.ready).toContain(503);
    await until('reconciliation', () => s.named('reconcile_done', from).length > 0);
    await trading();
  }, 40_000);

  it("fills while the user socket is silent are read back from the trade history: fees, realized PnL and fill count equal the simulator's", async () => {
    const before = await s.quiesce();
    const filledBefore = s.named('order_filled').length;
    const tradesBefore = s.sim.state().trades.length;
    s.resumeMarket();
    const from = s.events.length;
    // Silence the user socket once (never un-silenced: a live socket does not lose events) and
    // let the runner notice (ping timeout) while our quotes keep filling at the simulator;
    // repeat until a fill was missed and read back.
    for (let attempt = 0; attempt < 6 && !s.named('order_filled', from).some((e) => e.fields.via === 'backfill'); attempt++) {
      await trading();
      const cycle = s.events.length;
      s.sim.faults.silenceSockets('user', true);
      await until('the silent user socket to be replaced and reconciled', () => s.named('reconcile_done', cycle).length > 0, 15_000);
    }
    expect(s.named('order_filled', from).filter((e) => e.fields.via === 'backfill').length).toBeGreaterThan(0);
    expect(
      s.named('order_settled', from).some((e) => e.fields.via === 'backfill') ||
        s.named('order_filled', from).some((e) => e.fields.via === 'backfill' && e.fields.full === false),
    ).toBe(true);
    expect(s.named('exchange_error', from)).toEqual([]);
    const after = await s.quiesce();
    // Every trade since the baseline was seen exactly once, by the stream or read back.
    const trades = s.sim.state().trades.length - tradesBefore;
    expect(s.named('order_filled').length - filledBefore).toBe(trades);
    const delta = (books: typeof after, side: 'runner' | 'sim', key: 'fees' | 'realizedPnl'): bigint => money8(books[side][key]) - money8(before[side][key]);
    expect(delta(after, 'runner', 'fees'), JSON.stringify({ before, after })).toBe(delta(after, 'sim', 'fees'));
    const realizedGap = delta(after, 'runner', 'realizedPnl') - delta(after, 'sim', 'realizedPnl');
    expect((realizedGap < 0n ? -realizedGap : realizedGap) <= BigInt(trades) * REALIZED_ROUNDING_PER_FILL, JSON.stringify({ before, after })).toBe(true);
    expect(after.runner.position).toBe(after.sim.position);
    expect(after.runner.openOrders).toBe(after.sim.openOrders);
    s.resumeMarket();
    await trading();
  }, 120_000);

  it('listenKeyExpired: the key is recreated, the stream reconnects, orders and position are reconciled', async () => {
    const from = s.events.length;
    s.sim.faults.expireListenKeyNow();
    await until('a recreated key', () => s.named('listen_key_event', from).some((e) => e.fields.action === 'recreated'));
    const actions = s.named('listen_key_event', from).map((e) => e.fields.action);
    expect(actions).toContain('expired');
    await until('reconciliation', () => s.named('reconcile_done', from).length > 0);
    await trading();
    expect(s.app.venue.status().listenKeyLive).toBe(true);
  }, 30_000);

  it('-1125 on keepalive: the failure is counted, the key recreated, and the stream is never silently dead', async () => {
    const from = s.events.length;
    s.sim.faults.rejectNextKeepalive(1);
    await until('a recreated key', () => s.named('listen_key_event', from).some((e) => e.fields.action === 'recreated'), 10_000);
    expect(s.named('listen_key_event', from).some((e) => e.fields.action === 'renew_failed' && /-1125/.test(String(e.fields.error)))).toBe(true);
    expect(sample(await s.metrics(), 'mm_listen_key_renewal_failures_total')).toBeGreaterThanOrEqual(1);
    await until('reconciliation', () => s.named('reconcile_done', from).length > 0);
    await trading();
    expect(s.sim.state().listenKeyLive).toBe(true);
  }, 30_000);

  it('malformed and unknown frames on every socket are logged, counted, skipped, and trading goes on', async () => {
    const from = s.events.length;
    const frames = [
      '{not json',
      '[]',
      '{"stream":"btcusdt@bookTicker","data":{"e":"bookTicker","u":"x","s":"BTCUSDT","b":"-1","B":"a"}}',
      '{"stream":"btcusdt@depth@100ms","data":{"e":"depthUpdate","U":1}}',
      '{"stream":"btcusdt@markPrice@1s","data":{"e":"markPriceUpdate","p":1e999}}',
      '{"stream":"btcusdt@someNewStream","data":{}}',
      '{"e":"ORDER_TRADE_UPDATE","E":1,"T":1,"o":{"s":"BTCUSDT","c":"mm-x-q1","S":"BUY","x":"TRADE","X":"SIDEWAYS"}}',
      '{"e":"ACCOUNT_UPDATE","a":{"B":"nope"}}',
      '{"e":"STRATEGY_UPDATE","E":1}',
      `"${'x'.repeat(5000)}"`,
    ];
    for (const frame of frames) {
      expect(s.sim.faults.injectFrame('all', frame)).toBeGreaterThan(0);
    }
    const reportedBy = () => new Set(s.named('malformed_message', from).map((e) => e.fields.source));
    await until('malformed frames reported by every socket', () => s.named('malformed_message', from).length >= 12 && reportedBy().size >= 4);
    const sources = new Set(s.named('malformed_message', from).map((e) => e.fields.source));
    expect([...sources].sort()).toEqual(['market-stream', 'public-stream', 'user-stream', 'ws-api']);
    for (const e of s.named('malformed_message', from)) expect(String(e.fields.sample).length).toBeLessThanOrEqual(201);
    const metrics = await s.metrics();
    for (const source of sources) expect(sample(metrics, 'mm_malformed_messages_total', { source: String(source) }), String(source)).toBeGreaterThan(0);
    // None of it reached the books: no phantom order, and the runner still agrees with the venue.
    await trading();
    const books = await s.quiesce();
    expect(books.runner.position).toBe(books.sim.position);
    expect(books.runner.openOrders).toBe(books.sim.openOrders);
  }, 40_000);

  it('a market socket closed mid-stream reconnects and quoting resumes', async () => {
    s.resumeMarket();
    const from = s.events.length;
    expect(s.sim.faults.dropSockets('market', null)).toBeGreaterThan(0);
    await until('market reconnect', () => s.named('ws_connected', from).some((e) => e.fields.stream === 'market'));
    expect(s.named('ws_disconnected', from).some((e) => e.fields.stream === 'market')).toBe(true);
    await trading();
    expect(sample(await s.metrics(), 'mm_ws_connected', { stream: 'market' })).toBe(1);
  }, 30_000);
});
