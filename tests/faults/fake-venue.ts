/**
 * The runner in-process (startApp) against the fake Binance built from the documented samples
 * (tests/integration/exchange/fake-binance.ts), as a `binance-testnet` venue: for answers the
 * simulator never gives (a standing rejection, an odd exchangeInfo), with every frame of the
 * market pushed by the test.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { startApp, type App } from '../../src/app.ts';
import { loadConfig } from '../../src/config/index.ts';
import type { DomainEvent } from '../../src/core/events.ts';
import { FakeBinance } from '../integration/exchange/fake-binance.ts';
import { FAST_STREAMS } from './harness.ts';

export interface FakeVenueSession {
  readonly fake: FakeBinance;
  readonly app: App;
  readonly events: DomainEvent[];
  /** Pushes one BTCUSDT book ticker (prices as decimal strings on the 0.10 grid). */
  ticker(bid: string, ask: string): void;
  close(): Promise<void>;
}

let updateId = 1_000;

/** Starts a fake venue (prepared by `prepare`) and the runner against it; rejects if start-up fails. */
export async function startFakeVenueSession(
  prepare: (fake: FakeBinance) => void = () => {},
  env: Readonly<Record<string, string>> = {},
): Promise<FakeVenueSession> {
  const fake = await FakeBinance.start();
  prepare(fake);
  const dir = mkdtempSync(join(tmpdir(), 'mm-fake-venue-'));
  const events: DomainEvent[] = [];
  const loaded = loadConfig({
    env: {
      MM_EXCHANGE: 'binance-testnet',
      MM_REST_URL: fake.restUrl,
      MM_WS_URL: fake.wsUrl,
      MM_API_KEY: fake.apiKey,
      MM_API_SECRET: fake.apiSecret,
      MM_OBS_PORT: '0',
      MM_EVENT_LOG: join(dir, 'events.log'),
      MM_LEVELS: '1',
      MM_SHUTDOWN_TIMEOUT_MS: '3000',
      MM_TELEMETRY_FLUSH_TIMEOUT_MS: '500',
      ...env,
    },
    argv: [],
  });
  if (loaded.kind !== 'config') throw new Error('unexpected help');
  const close = async (app: App | null) => {
    await app?.stop('test_end').catch(() => undefined);
    await fake.close();
    rmSync(dir, { recursive: true, force: true });
  };
  let app: App;
  try {
    app = await startApp(loaded.config, {
      otelEnv: {},
      stdout: new Writable({ write: (_chunk, _enc, done) => done() }),
      listeners: [(event) => events.push(event)],
      venueTuning: FAST_STREAMS,
    });
  } catch (error) {
    await close(null);
    throw error;
  }
  return {
    fake,
    app,
    events,
    ticker(bid: string, ask: string) {
      updateId += 1;
      const now = fake.serverTime();
      fake.pushStream('public', 'btcusdt@bookTicker', { e: 'bookTicker', u: updateId, s: 'BTCUSDT', b: bid, B: '1.000', a: ask, A: '1.000', T: now, E: now });
    },
    close: () => close(app),
  };
}
