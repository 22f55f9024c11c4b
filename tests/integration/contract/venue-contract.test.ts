/**
 * One contract, run through the real adapter (BinanceVenue) against both the simulator and the
 * fake built from Binance's documented samples: the same calls must succeed and mean the same.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BinanceVenue } from '../../../src/exchange/binance-venue.ts';
import { SystemClock } from '../../../src/runner/clocks.ts';
import { startSimulator, type SimulatorHandle } from '../../../src/sim/simulator.ts';
import { FakeBinance } from '../exchange/fake-binance.ts';

interface Target {
  readonly name: string;
  start(): Promise<{ restUrl: string; wsUrl: string; apiKey: string; apiSecret: string; close(): Promise<void> }>;
}

const targets: Target[] = [
  {
    name: 'simulator',
    async start() {
      const sim: SimulatorHandle = await startSimulator({ symbols: ['BTCUSDT'], seed: 11 });
      return { restUrl: sim.restUrl, wsUrl: sim.wsUrl, apiKey: sim.apiKey, apiSecret: sim.apiSecret, close: () => sim.close() };
    },
  },
  {
    name: 'documented fake',
    async start() {
      const fake = await FakeBinance.start();
      return { restUrl: fake.restUrl, wsUrl: fake.wsUrl, apiKey: fake.apiKey, apiSecret: fake.apiSecret, close: () => fake.close() };
    },
  },
];

describe.each(targets)('venue contract against the $name', (target) => {
  let server: Awaited<ReturnType<Target['start']>>;
  let venue: BinanceVenue;

  beforeAll(async () => {
    server = await target.start();
    venue = new BinanceVenue({
      restUrl: server.restUrl,
      wsUrl: server.wsUrl,
      apiKey: server.apiKey,
      apiSecret: server.apiSecret,
      clock: new SystemClock(),
      requestTimeoutMs: 3000,
    });
  });
  afterAll(async () => {
    await venue.close();
    await server.close();
  });

  it('syncs time and loads BTCUSDT with its grid', async () => {
    expect(Number.isFinite(await venue.syncTime())).toBe(true);
    const [btc] = await venue.loadInstruments(['BTCUSDT']);
    expect(btc?.symbol).toBe('BTCUSDT');
    expect(btc?.formatPrice(btc.priceToTicks(btc.spec.tickSize))).toMatch(/^0\.[0-9]*1$/);
    await expect(venue.loadInstruments(['NOPEUSDT'])).rejects.toThrow(/NOPEUSDT/);
  });

  it('configures leverage and margin type, tolerating "no need to change"', async () => {
    await venue.configureSymbol('BTCUSDT', { leverage: 5, marginType: 'CROSSED' });
    await venue.configureSymbol('BTCUSDT', { leverage: 5, marginType: 'CROSSED' });
  });

  it('places a post-only limit order and reads it back as accepted', async () => {
    const [btc] = await venue.loadInstruments(['BTCUSDT']);
    if (!btc) throw new Error('no instrument');
    const outcome = await venue.placeOrder({
      symbol: 'BTCUSDT',
      side: 'BUY',
      type: 'LIMIT',
      timeInForce: 'GTX',
      priceTicks: btc.priceToTicks('30000.0'),
      qtySteps: btc.qtyToSteps('0.005'),
      reduceOnly: false,
      clientOrderId: 'contract-venue-1',
    });
    expect(outcome.kind).toBe('accepted');
    if (outcome.kind === 'accepted') {
      expect(outcome.value.symbol).toBe('BTCUSDT');
      expect(outcome.value.orderId.length).toBeGreaterThan(0);
    }
  });

  it('lists open orders and the position, and cancels everything', async () => {
    expect(Array.isArray(await venue.openOrders('BTCUSDT'))).toBe(true);
    const position = await venue.position('BTCUSDT');
    expect(Number.isInteger(position.amountSteps)).toBe(true);
    expect((await venue.cancelAllOpenOrders('BTCUSDT')).kind).toBe('accepted');
  });

  it('reads the account trade list from a time: our trades on the grid, oldest first, each once', async () => {
    const trades = await venue.userTrades('BTCUSDT', Date.now() - 10 * 60_000);
    if (target.name === 'documented fake') expect(trades).toHaveLength(1);
    for (const t of trades) {
      expect(t.symbol).toBe('BTCUSDT');
      expect(Number.isInteger(t.priceTicks) && Number.isInteger(t.qtySteps) && t.qtySteps > 0).toBe(true);
      expect(typeof t.commission).toBe('bigint');
      expect(t.orderId).toMatch(/^\d+$/);
    }
    expect(trades.map((t) => t.tradeId)).toEqual([...new Set(trades.map((t) => t.tradeId))].sort((a, b) => a - b));
    expect(await venue.userTrades('BTCUSDT', Date.now() + 60_000)).toEqual([]);
  });

  it('reads mark price and funding', async () => {
    const mark = await venue.premiumIndex('BTCUSDT');
    expect(mark.symbol).toBe('BTCUSDT');
    expect(mark.fundingRate).toMatch(/^-?\d+(\.\d+)?$/);
    expect(mark.nextFundingTimeMs).toBeGreaterThan(0);
  });
});
