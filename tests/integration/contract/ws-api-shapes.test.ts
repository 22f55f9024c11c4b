/**
 * The WebSocket API contract between Binance, the simulator and the adapter: each documented
 * answer (tests/fixtures/binance/ws-api-*.json, SOURCES.md) and the simulator's live answer to
 * the same method are both read by the adapter, and the simulator sends every field the
 * documentation shows, with the same JSON type (the whole frame: id, status, result or error,
 * rateLimits). Fields shown only for order types the simulator does not offer (trailing stops)
 * are named and skipped.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Instrument } from '../../../src/core/instrument.ts';
import { parseExchangeInfo, toInstrument } from '../../../src/exchange/wire/exchange-info.ts';
import { parseOrder } from '../../../src/exchange/wire/orders.ts';
import { parsePositionRisk } from '../../../src/exchange/wire/positions.ts';
import { parseWsApiAnswer } from '../../../src/exchange/ws-api-answers.ts';
import { startSimulator, type SimulatorHandle } from '../../../src/sim/simulator.ts';
import { loadFixture } from '../exchange/fake-binance.ts';
import { capture, signWsApi, unsigned, wsApiCall, type Captured } from '../sim/sim-client.ts';
import { drift, type Json } from './json-shape.ts';

const TRAILING_ONLY = ['$.result.activatePrice', '$.result.priceRate'];
let sim: SimulatorHandle;
let api: Captured;
let btc: Instrument;
const lookup = (symbol: string) => (symbol === 'BTCUSDT' ? btc : undefined);
const fixture = (name: string) => loadFixture(name) as Json;

/** Sends a signed request and returns the raw answer frame, as JSON and as text. */
async function call(method: string, params: Record<string, string>): Promise<{ json: Json; text: string }> {
  const json = (await wsApiCall(api, method, signWsApi(sim, params))) as Json;
  return { json, text: JSON.stringify(json) };
}

const limit = (clientOrderId: string) => ({
  symbol: 'BTCUSDT',
  side: 'BUY',
  type: 'LIMIT',
  timeInForce: 'GTC',
  quantity: '0.002',
  price: '60000.0',
  newClientOrderId: clientOrderId,
  newOrderRespType: 'RESULT',
});

beforeAll(async () => {
  sim = await startSimulator({ symbols: ['BTCUSDT'], autoStep: false, seed: 5, startingPositions: { BTCUSDT: '0.010' } });
  const spec = parseExchangeInfo((await unsigned(sim, 'GET', '/fapi/v1/exchangeInfo')).body).specs.get('BTCUSDT');
  if (spec === undefined) throw new Error('simulator lists no BTCUSDT');
  btc = toInstrument(spec);
  api = await capture(sim.wsApiUrl);
});
afterAll(async () => {
  api.ws.terminate();
  await sim.close();
});

describe('WebSocket API answers: documented sample and simulator agree', () => {
  it('order.place (the General Info example), order.status, order.modify, order.cancel', async () => {
    const placed = await call('order.place', limit('ws-contract-1'));
    expect(drift(fixture('ws-api-order-place'), placed.json)).toEqual([]);
    const status = await call('order.status', { symbol: 'BTCUSDT', origClientOrderId: 'ws-contract-1' });
    expect(drift(fixture('ws-api-order-status'), status.json, TRAILING_ONLY)).toEqual([]);
    const modified = await call('order.modify', { symbol: 'BTCUSDT', origClientOrderId: 'ws-contract-1', side: 'BUY', quantity: '0.003', price: '60000.1' });
    expect(drift(fixture('ws-api-order-modify'), modified.json)).toEqual([]);
    const cancelled = await call('order.cancel', { symbol: 'BTCUSDT', origClientOrderId: 'ws-contract-1' });
    expect(drift(fixture('ws-api-order-cancel'), cancelled.json, TRAILING_ONLY)).toEqual([]);

    for (const answer of [placed, status, modified, cancelled]) {
      expect(parseOrder(parseWsApiAnswer(answer.text).result, lookup).clientOrderId).toBe('ws-contract-1');
    }
    // The documented samples are read too (the trailing-stop ones are not orders this adapter trades).
    expect(parseWsApiAnswer(JSON.stringify(fixture('ws-api-order-place'))).usage).toEqual({ usedWeight1m: 1, orderCount10s: 1, orderCount1m: 0 });
    for (const name of ['ws-api-order-status', 'ws-api-order-modify', 'ws-api-order-cancel']) {
      expect(parseWsApiAnswer(JSON.stringify(fixture(name))).status).toBe(200);
    }
  });

  it('an error answer (the General Info example: -1102 for a missing quantity)', async () => {
    const { quantity: _missing, ...noQuantity } = limit('ws-contract-2');
    const refused = await call('order.place', noQuantity);
    expect(refused.json).toMatchObject({
      status: 400,
      error: { code: -1102, msg: "Mandatory parameter 'quantity' was not sent, was empty/null, or malformed." },
    });
    expect(drift(fixture('ws-api-error'), refused.json)).toEqual([]);
    expect(parseWsApiAnswer(refused.text).error).toMatchObject({ code: -1102 });
  });

  it('account.position, v2/account.position, v2/account.balance', async () => {
    const v1 = await call('account.position', { symbol: 'BTCUSDT' });
    expect(drift(fixture('ws-api-account-position'), v1.json)).toEqual([]);
    const v2 = await call('v2/account.position', { symbol: 'BTCUSDT' });
    expect(drift(fixture('ws-api-account-position-v2'), v2.json)).toEqual([]);
    expect(parsePositionRisk(parseWsApiAnswer(v2.text).result, 'BTCUSDT', lookup, 0).amountSteps).toBe(10);
    const balance = await call('v2/account.balance', {});
    expect(drift(fixture('ws-api-account-balance-v2'), balance.json)).toEqual([]);
  });
});
