/**
 * The simulator's WebSocket API session authentication, as the USDⓈ-M WebSocket API General
 * Info page describes it: session.logon with an Ed25519 key only, requests without apiKey and
 * signature afterwards, explicit keys still authorizing single requests, session.status and
 * session.logout; and requests signed with the Ed25519 key (base64) without a session.
 */
import { generateKeyPairSync, sign as signEd25519, type KeyObject } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type SimulatorHandle } from '../../../src/sim/simulator.ts';
import { capture, signWsApi, wsApiCall, type Captured } from './sim-client.ts';

const ED_KEY = 'ed25519-test-key';
let sim: SimulatorHandle;
let api: Captured;
let privateKey: KeyObject;

/** Returns params with apiKey, timestamp and the Ed25519 signature (base64) of the sorted payload. */
function signEd(params: Record<string, string | number>): Record<string, string | number> {
  const all: Record<string, string | number> = { ...params, apiKey: ED_KEY, timestamp: sim.exchange.clock.nowMs() };
  const payload = Object.keys(all)
    .sort()
    .map((k) => `${k}=${String(all[k])}`)
    .join('&');
  return { ...all, signature: signEd25519(null, Buffer.from(payload), privateKey).toString('base64') };
}

const bid = (clientOrderId: string) => ({
  symbol: 'BTCUSDT',
  side: 'BUY',
  type: 'LIMIT',
  timeInForce: 'GTX',
  quantity: '0.005',
  price: '30000.00',
  newClientOrderId: clientOrderId,
});

beforeEach(async () => {
  const pair = generateKeyPairSync('ed25519');
  privateKey = pair.privateKey;
  sim = await startSimulator({
    symbols: ['BTCUSDT'],
    autoStep: false,
    ed25519ApiKey: { apiKey: ED_KEY, publicKeyPem: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString() },
  });
  api = await capture(sim.wsApiUrl);
});
afterEach(async () => {
  api.ws.terminate();
  await sim.close();
});

describe('WebSocket API session authentication', () => {
  it('logs on with the Ed25519 key, then takes requests without apiKey and signature, until logout', async () => {
    expect((await wsApiCall(api, 'session.status')).result).toMatchObject({ apiKey: null, authorizedSince: null, returnRateLimits: true });
    const withoutKey = { ...bid('session-0'), timestamp: sim.exchange.clock.nowMs() };
    expect(await wsApiCall(api, 'order.place', withoutKey)).toMatchObject({ status: 401, error: { code: -2014 } });

    const logon = await wsApiCall(api, 'session.logon', signEd({}));
    expect(logon).toMatchObject({ status: 200, result: { apiKey: ED_KEY, authorizedSince: expect.any(Number), connectedSince: expect.any(Number) } });
    expect(logon.rateLimits[0]).toMatchObject({ rateLimitType: 'REQUEST_WEIGHT' });
    expect(await wsApiCall(api, 'order.place', { ...bid('session-1'), timestamp: sim.exchange.clock.nowMs() })).toMatchObject({ status: 200 });
    // An explicit key still authorizes one request (ad hoc), and its signature is still checked.
    expect(await wsApiCall(api, 'order.place', signWsApi(sim, bid('session-2')))).toMatchObject({ status: 200 });
    expect(await wsApiCall(api, 'order.place', { ...signWsApi(sim, bid('session-3')), signature: 'f'.repeat(64) })).toMatchObject({ error: { code: -1022 } });
    expect((await wsApiCall(api, 'session.status')).result).toMatchObject({ apiKey: ED_KEY });

    expect((await wsApiCall(api, 'session.logout')).result).toMatchObject({ apiKey: null, authorizedSince: null });
    expect(await wsApiCall(api, 'order.place', { ...bid('session-4'), timestamp: sim.exchange.clock.nowMs() })).toMatchObject({
      status: 401,
      error: { code: -2014 },
    });
    expect(
      sim
        .state()
        .openOrders.map((o) => o['clientOrderId'])
        .sort(),
    ).toEqual(['session-1', 'session-2']);
  });

  it('refuses a logon with the HMAC key (-4056), a bad signature (-1022), or outside the recvWindow (-1021)', async () => {
    expect(await wsApiCall(api, 'session.logon', signWsApi(sim, {}))).toMatchObject({ status: 400, error: { code: -4056, msg: 'Invalid api key type.' } });
    expect(await wsApiCall(api, 'session.logon', { ...signEd({}), signature: Buffer.alloc(64).toString('base64') })).toMatchObject({ error: { code: -1022 } });
    sim.faults.armWsApiFault({ kind: 'timestamp' }, { method: 'session.logon' });
    expect(await wsApiCall(api, 'session.logon', signEd({}))).toMatchObject({ error: { code: -1021 } });
    expect((await wsApiCall(api, 'session.status')).result.apiKey).toBeNull();
  });

  it('takes a request signed with the Ed25519 key without a session', async () => {
    expect(await wsApiCall(api, 'order.place', signEd(bid('ed-1')))).toMatchObject({ status: 200, result: { clientOrderId: 'ed-1' } });
    expect(await wsApiCall(api, 'order.place', { ...signEd(bid('ed-2')), signature: signEd(bid('other'))['signature'] })).toMatchObject({
      error: { code: -1022 },
    });
  });
});
