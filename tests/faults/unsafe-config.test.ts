/**
 * Issue 12 item 17: a configuration that cannot trade sensibly on the venue's instruments is
 * refused at start, once exchangeInfo is loaded (exit 2, every problem named at once, no order
 * sent): a ladder reaching beyond the symbol's PERCENT_PRICE band, a size above its LOT_SIZE
 * maxQty, together with the lot-step check that was there before.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type SimulatorHandle } from '../../src/sim/index.ts';
import { RunnerProcess } from '../support/runner-process.ts';

let sim: SimulatorHandle;

beforeAll(async () => {
  sim = await startSimulator({ symbols: ['BTCUSDT'] });
});

afterAll(async () => {
  await sim?.close();
});

describe('a configuration the venue cannot trade', () => {
  it('is refused at start with exit 2, each problem named, and no order is sent', async () => {
    const posts: number[] = [];
    const stop = sim.faults.observeRequests((r) => {
      if (r.path === '/fapi/v1/order') posts.push(r.atMs);
    });
    // The simulator's BTCUSDT: PERCENT_PRICE 0.95-1.05 (500 bps each way), LOT_SIZE maxQty 1000, step 0.001.
    const runner = new RunnerProcess({
      MM_EXCHANGE: 'sim',
      MM_REST_URL: sim.restUrl,
      MM_WS_URL: sim.wsUrl,
      MM_OBS: 'false',
      MM_EVENT_LOG: '/dev/null',
      MM_HALF_SPREAD_BPS: '100',
      MM_LEVELS: '5',
      MM_LEVEL_SPACING_BPS: '100',
      MM_ORDER_QTY: '2000',
      MM_REDUCE_ONLY_CLIP_QTY: '1000.5',
      MM_GRIND_CLIP_QTY: '0.0001',
    });
    expect(await runner.exited, runner.stderr).toBe(2);
    stop();
    expect(runner.stderr).toMatch(/MM_HALF_SPREAD_BPS.*500 bps from mid.*PERCENT_PRICE/);
    expect(runner.stderr).toMatch(/MM_ORDER_QTY.*"2000" is above BTCUSDT's maximum quantity 1000/);
    expect(runner.stderr).toMatch(/MM_REDUCE_ONLY_CLIP_QTY.*"1000\.5"/);
    expect(runner.stderr).toMatch(/MM_GRIND_CLIP_QTY.*"0\.0001"/);
    expect(posts).toEqual([]);
    expect(sim.state().openOrders).toEqual([]);
  }, 30_000);

  it('a ladder inside the band and sizes within the limits start as before', async () => {
    const runner = new RunnerProcess(
      {
        MM_EXCHANGE: 'sim',
        MM_REST_URL: sim.restUrl,
        MM_WS_URL: sim.wsUrl,
        MM_OBS: 'false',
        MM_EVENT_LOG: '/dev/null',
        MM_HALF_SPREAD_BPS: '100',
        MM_LEVELS: '4',
        MM_LEVEL_SPACING_BPS: '100',
        MM_SHADOW: 'true',
      },
      ['--iterations', '3'],
    );
    expect(await runner.exited, runner.stderr).toBe(0);
  }, 30_000);
});
