/**
 * Bad input: invalid configuration as a user meets it (a process that exits 2 listing every
 * problem, echoing no secret), quantities off the lot-step grid (refused at start, exit 2), and
 * duplicate or out-of-order user-stream events injected into a trading runner (counted once,
 * never moving an order backwards). Plus the loopback default of the ops server.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.ts';
import { startSimulator, type SimulatorHandle } from '../../src/sim/index.ts';
import { RunnerProcess } from '../support/runner-process.ts';
import { exact, sleep, startSession, until, type Session } from './harness.ts';

const SECRET = 'inputTestSecretZ9y8x7w6v5u4t3s2r1';

describe('invalid configuration', () => {
  it('exits 2 listing every problem at once, without echoing a secret', async () => {
    const runner = new RunnerProcess(
      {
        MM_HALF_SPREAD_BPS: 'wide',
        MM_LEVELS: '0',
        MM_SYMBOLS: 'btc-usdt',
        MM_FROBNICATE: '1',
        MM_API_SECRET: SECRET,
        MM_EXCHANGE: 'binance',
        MM_LEVERAGE: '500',
      },
      ['--order-qty', '-1', `--api-key=${SECRET}`],
    );
    const code = await runner.exited;
    expect(code).toBe(2);
    for (const name of ['MM_HALF_SPREAD_BPS', 'MM_LEVELS', 'MM_SYMBOLS', 'MM_FROBNICATE', 'MM_LEVERAGE', 'MM_ORDER_QTY', 'MM_API_KEY']) {
      expect(runner.stderr, name).toContain(name);
    }
    expect(runner.stderr.split('\n').filter((l) => l.startsWith('  ')).length).toBeGreaterThanOrEqual(7);
    expect(`${runner.stdout}${runner.stderr}`).not.toContain(SECRET);
    expect(`${runner.stdout}${runner.stderr}`).not.toContain(SECRET.slice(0, 10));
  }, 30_000);

  describe('quantities off the lot-step grid', () => {
    let sim: SimulatorHandle;
    beforeAll(async () => {
      sim = await startSimulator({ symbols: ['BTCUSDT'] });
    });
    afterAll(async () => {
      await sim?.close();
    });

    it('are refused at start with exit 2, every one named, and no order is sent', async () => {
      const posts: number[] = [];
      const stop = sim.faults.observeRequests((r) => {
        if (r.path === '/fapi/v1/order') posts.push(r.atMs);
      });
      const runner = new RunnerProcess({
        MM_EXCHANGE: 'sim',
        MM_REST_URL: sim.restUrl,
        MM_WS_URL: sim.wsUrl,
        MM_OBS: 'false',
        MM_EVENT_LOG: '/dev/null',
        MM_ORDER_QTY: '0.0055',
        MM_GRIND_CLIP_QTY: '0.0001',
      });
      expect(await runner.exited).toBe(2);
      stop();
      expect(runner.stderr).toMatch(/MM_ORDER_QTY.*"0\.0055" is not on BTCUSDT's lot step 0\.001/);
      expect(runner.stderr).toMatch(/MM_GRIND_CLIP_QTY.*"0\.0001"/);
      expect(posts).toEqual([]);
      expect(sim.state().openOrders).toEqual([]);
    }, 30_000);
  });
});

describe('the ops server', () => {
  it('binds the loopback interface unless told otherwise', () => {
    const loaded = loadConfig({ env: {}, argv: [] });
    if (loaded.kind !== 'config') throw new Error('unexpected help');
    expect(loaded.config.obs.host).toBe('127.0.0.1');
  });
});

describe('duplicate and out-of-order user-stream events', () => {
  let s: Session;
  beforeAll(async () => {
    s = await startSession();
  }, 30_000);
  afterAll(async () => {
    await s?.close();
  });

  it("a replayed fill counts once, a late NEW after FILLED changes nothing, and the books stay the simulator's", async () => {
    await until('a fill', () => s.sim.state().trades.some((t) => t.clientOrderId.startsWith('mm-')), 60_000);
    const before = await s.quiesce();
    expect(exact(before.runner)).toEqual(exact(before.sim));
    const trade = s.sim.state().trades.find((t) => t.clientOrderId.startsWith('mm-'));
    if (trade === undefined) throw new Error('no trade');
    const order = (status: string, execution: string, last: string) =>
      JSON.stringify({
        e: 'ORDER_TRADE_UPDATE',
        E: trade.time,
        T: trade.time,
        o: {
          s: 'BTCUSDT',
          c: trade.clientOrderId,
          S: trade.side,
          o: 'LIMIT',
          f: 'GTX',
          q: trade.qty,
          p: trade.price,
          ap: trade.price,
          sp: '0',
          x: execution,
          X: status,
          i: trade.orderId,
          l: last,
          z: trade.qty,
          L: trade.price,
          N: 'USDT',
          n: trade.commission,
          T: trade.time,
          t: trade.id,
          b: '0',
          a: '0',
          m: trade.maker,
          R: false,
          wt: 'CONTRACT_PRICE',
          ot: 'LIMIT',
          ps: 'BOTH',
          cp: false,
          rp: trade.realizedPnl,
          pP: false,
          si: 0,
          ss: 0,
          V: 'EXPIRE_MAKER',
          pm: 'NONE',
          gtd: 0,
        },
      });
    const from = s.events.length;
    const duplicate = order('FILLED', 'TRADE', trade.qty);
    expect(s.sim.faults.injectFrame('user', duplicate)).toBe(1);
    expect(s.sim.faults.injectFrame('user', duplicate)).toBe(1);
    expect(s.sim.faults.injectFrame('user', order('NEW', 'NEW', '0'))).toBe(1);
    await sleep(500);
    expect(s.named('order_filled', from)).toEqual([]);
    expect(s.app.runner.views()[0]?.openOrders).toBe(before.runner.openOrders);
    const after = await s.quiesce();
    expect(after.runner).toEqual(before.runner);
    expect(exact(after.runner)).toEqual(exact(after.sim));
  }, 90_000);
});
