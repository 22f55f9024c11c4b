/**
 * The embedded simulator in a process of its own (so its CPU is not the runner's), with a fast
 * market and raised rate limits so the runner can trade at a high rate.
 * Flags: --step-ms=N (market step period), --vol=BPS (volatility per step).
 */
import { startSimulator } from '../../src/sim/simulator.ts';
import { arg, tell } from '../lib/proc.ts';

const sim = await startSimulator({
  host: '127.0.0.1',
  port: 0,
  seed: 11,
  symbols: ['BTCUSDT'],
  stepIntervalMs: Number(arg('step-ms', '50')),
  volatilityBps: Number(arg('vol', '3')),
  rateLimits: { weight1m: 10_000_000, orders10s: 10_000_000, orders1m: 10_000_000 },
  startingBalance: '100000000',
  fundingIntervalMs: 8 * 3600 * 1000,
});
tell({ type: 'ready', restUrl: sim.restUrl, wsUrl: sim.wsUrl, apiKey: sim.apiKey, apiSecret: sim.apiSecret });
process.on('SIGTERM', () => {
  void sim.close().finally(() => process.exit(0));
});
