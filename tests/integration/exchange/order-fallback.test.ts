/**
 * The fallback on the simulator: orders go over the WebSocket API while it is up, over REST
 * while it is down, and back; under faults on both sides of an outage every order is sent once,
 * each ambiguous one is settled by status queries, and at the end what the adapter believes is
 * open equals what the simulator holds.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OrderTransportChange } from '../../../src/core/venue.ts';
import { type Instrument, offsetTicks } from '../../../src/core/instrument.ts';
import type { PlaceOrder } from '../../../src/core/model.ts';
import type { BinanceVenue } from '../../../src/exchange/binance-venue.ts';
import type { ObservedRequest, WsApiFault } from '../../../src/sim/faults.ts';
import { startSimulator, type SimulatorHandle } from '../../../src/sim/simulator.ts';
import { recordingListener, until, venueFor, type Recorded } from './helpers.ts';

const RECV_WINDOW_MS = 1000;

let sim: SimulatorHandle;
let venue: BinanceVenue;
let rec: Recorded;
let btc: Instrument;
const requests: ObservedRequest[] = [];

const isPlace = (r: ObservedRequest): boolean => (r.method === 'WS' && r.path === 'order.place') || (r.method === 'POST' && r.path === '/fapi/v1/order');
const isCancel = (r: ObservedRequest): boolean => (r.method === 'WS' && r.path === 'order.cancel') || (r.method === 'DELETE' && r.path === '/fapi/v1/order');
const transports = (): OrderTransportChange[] => rec.of('orderTransport').map(([change]) => change as OrderTransportChange);

function order(clientOrderId: string, i: number): PlaceOrder {
  return {
    symbol: 'BTCUSDT',
    side: i % 2 === 0 ? 'BUY' : 'SELL',
    type: 'LIMIT',
    timeInForce: 'GTX',
    // Far from the market on both sides, one tick apart, so that nothing fills.
    priceTicks: offsetTicks(btc.priceToTicks(i % 2 === 0 ? '30000.0' : '99000.0'), i % 2 === 0 ? -i : i),
    qtySteps: btc.qtyToSteps('0.005'),
    reduceOnly: false,
    clientOrderId,
  };
}

/** Asks the venue until the order is known, or until a request sent at `sentAtMs` can no longer be processed (recvWindow). */
async function settle(clientOrderId: string, sentAtMs: number): Promise<boolean> {
  for (;;) {
    const answer = await venue.queryOrder('BTCUSDT', clientOrderId);
    if (answer.kind === 'accepted' && answer.value !== null) return answer.value.status === 'NEW';
    if (answer.kind === 'accepted' && Date.now() > sentAtMs + RECV_WINDOW_MS + 200) return false;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

async function openAtVenue(): Promise<string[]> {
  return (await venue.openOrders('BTCUSDT')).map((o) => o.clientOrderId).sort();
}

const openAtSimulator = (): string[] =>
  sim
    .state()
    .openOrders.map((o) => String(o['clientOrderId']))
    .sort();

beforeEach(async () => {
  sim = await startSimulator({ symbols: ['BTCUSDT'], autoStep: false, rateLimits: { orders10s: 10_000, orders1m: 10_000 } });
  sim.faults.observeRequests((r) => requests.push(r));
  venue = venueFor(sim, { orderTransport: 'ws', wsApiUrl: sim.wsApiUrl, wsApiRequestTimeoutMs: 500, recvWindowMs: RECV_WINDOW_MS });
  const [instrument] = await venue.loadInstruments(['BTCUSDT']);
  if (instrument === undefined) throw new Error('no BTCUSDT');
  btc = instrument;
  rec = recordingListener();
  await venue.connect(['BTCUSDT'], rec.listener);
  await until(() => venue.status().orderTransport === 'ws', 5000, 'the WebSocket API');
});
afterEach(async () => {
  requests.length = 0;
  await venue.close();
  await sim.close();
});

describe('order entry falls back to REST while the WebSocket API is down', () => {
  it('places and cancels over REST during an outage and over the WebSocket API around it, reporting each switch', async () => {
    const open = new Set<string>();
    const place = async (id: string, i: number): Promise<void> => {
      expect(await venue.placeOrder(order(id, i))).toMatchObject({ kind: 'accepted', value: { status: 'NEW' } });
      open.add(id);
    };
    const cancel = async (id: string): Promise<void> => {
      expect(await venue.cancelOrder({ symbol: 'BTCUSDT', clientOrderId: id })).toMatchObject({ kind: 'accepted', value: { status: 'CANCELED' } });
      open.delete(id);
    };
    for (let i = 0; i < 4; i++) await place(`before-${i}`, i);
    sim.faults.setWsApiDown(true);
    await until(() => venue.status().orderTransport === 'rest', 5000, 'REST');
    expect(venue.status().orderApiConnected).toBe(false);
    for (let i = 0; i < 4; i++) await place(`during-${i}`, i);
    await cancel('before-0');
    sim.faults.setWsApiDown(false);
    await until(() => venue.status().orderTransport === 'ws', 10_000, 'the WebSocket API back');
    for (let i = 0; i < 4; i++) await place(`after-${i}`, i);
    await cancel('during-1');

    expect(transports()).toEqual([
      { transport: 'rest', reason: 'ws-api connecting' },
      { transport: 'ws', reason: 'ws-api open' },
      { transport: 'rest', reason: 'ws-api close 1006' },
      { transport: 'ws', reason: 'ws-api open' },
    ]);
    const placedOver = (prefix: string) => [
      ...new Set(requests.filter((r) => isPlace(r) && r.params['newClientOrderId']?.startsWith(prefix)).map((r) => r.method)),
    ];
    expect([placedOver('before-'), placedOver('during-'), placedOver('after-')]).toEqual([['WS'], ['POST'], ['WS']]);
    expect(requests.filter(isCancel).map((r) => `${r.method} ${r.params['origClientOrderId']}`)).toEqual(['DELETE before-0', 'WS during-1']);
    expect(requests.filter(isPlace)).toHaveLength(12);
    expect(await openAtVenue()).toEqual([...open].sort());
    expect(openAtSimulator()).toEqual([...open].sort());
  });

  it('under faults on both sides of an outage: no order sent twice, none lost, the end state equals the simulator', async () => {
    const faults: ReadonlyArray<WsApiFault | null> = [
      null,
      { kind: 'drop', processed: true },
      { kind: 'drop', processed: false },
      { kind: 'unknown', mode: 'created' },
      { kind: 'unknown', mode: 'not-created' },
      { kind: 'hold', ms: 800 },
    ];
    const open = new Set<string>();
    const ambiguous: Array<{ id: string; sentAtMs: number }> = [];
    const ids: string[] = [];
    for (let i = 0; i < 24; i++) {
      if (i === 8) {
        sim.faults.setWsApiDown(true);
        await until(() => venue.status().orderTransport === 'rest', 5000, 'REST');
      }
      if (i === 16) {
        sim.faults.setWsApiDown(false);
        await until(() => venue.status().orderTransport === 'ws', 10_000, 'the WebSocket API back');
      }
      const fault = faults[i % faults.length] ?? null;
      if (fault !== null && venue.status().orderTransport === 'ws') sim.faults.armWsApiFault(fault, { method: 'order.place' });
      const id = `mix-${i}`;
      ids.push(id);
      const sentAtMs = Date.now();
      const outcome = await venue.placeOrder(order(id, i));
      if (outcome.kind === 'accepted') open.add(id);
      else if (outcome.kind === 'ambiguous') ambiguous.push({ id, sentAtMs });
      else throw new Error(`${id}: ${JSON.stringify(outcome)}`);
      await until(() => venue.status().orderTransport === (i >= 8 && i < 16 ? 'rest' : 'ws'), 10_000, 'the transport back after a drop');
    }
    expect(ambiguous.length).toBeGreaterThanOrEqual(8);
    for (const { id, sentAtMs } of ambiguous) if (await settle(id, sentAtMs)) open.add(id);

    // Cancel every other open order, one of them through a dropped connection.
    sim.faults.armWsApiFault({ kind: 'drop', processed: true }, { method: 'order.cancel' });
    for (const id of [...open].sort().filter((_, k) => k % 2 === 0)) {
      const outcome = await venue.cancelOrder({ symbol: 'BTCUSDT', clientOrderId: id });
      if (outcome.kind === 'accepted' || (outcome.kind === 'rejected' && outcome.code === -2011)) open.delete(id);
      else throw new Error(`cancel ${id}: ${JSON.stringify(outcome)}`);
      await until(() => venue.status().orderTransport === 'ws', 10_000, 'the WebSocket API back');
    }

    for (const id of ids) expect(requests.filter((r) => isPlace(r) && r.params['newClientOrderId'] === id).length, id).toBe(1);
    expect(await openAtVenue()).toEqual([...open].sort());
    expect(openAtSimulator()).toEqual([...open].sort());
  });
});
