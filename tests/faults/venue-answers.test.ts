/**
 * Answers from a venue (the fake built from Binance's documented samples) that the simulator
 * never gives: every order rejected for a reason that will not change, a book with a zero bid,
 * an exchangeInfo with an unreadable entry or a symbol that is not trading.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SymbolNotTradingError } from '../../src/exchange/errors.ts';
import { json } from '../integration/exchange/fake-binance.ts';
import { sleep, until } from './harness.ts';
import { startFakeVenueSession, type FakeVenueSession } from './fake-venue.ts';

let session: FakeVenueSession | null = null;

afterEach(async () => {
  await session?.close();
  session = null;
});

/** Pushes `count` book tickers around 65000, one per ~10 ms. */
async function tickers(s: FakeVenueSession, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    s.ticker(i % 2 === 0 ? '65000.0' : '65000.1', '65000.2');
    await sleep(10);
  }
}

describe('venue answers', () => {
  it('every order rejected with -4164 (a minimum notional the runner was not told of): each slot backs off, no rejection storm', async () => {
    session = await startFakeVenueSession((fake) => {
      fake.orderReply = () => json(400, { code: -4164, msg: "Order's notional must be no smaller than 100 (unless you choose reduce only)." });
    });
    const s = session;
    await tickers(s, 20);
    await until('a first rejection', () => s.events.some((e) => e.event === 'order_rejected'));
    const started = Date.now();
    await tickers(s, 300);
    const elapsed = Date.now() - started;
    const posts = s.fake.requestsTo('POST', '/fapi/v1/order').length;
    // Two slots; each waits 0.5, 1, 2, 4, 8 ... s after a rejection: at most ~2 x log2(elapsed / 0.5 s) + 2 orders.
    const bound = 2 * (Math.ceil(Math.log2(elapsed / 500 + 1)) + 2);
    expect(posts, `${posts} POSTs in ${elapsed} ms`).toBeLessThanOrEqual(bound);
    const rejected = s.events.filter((e) => e.event === 'order_rejected').map((e) => (e.fields as { backoff_ms: number }).backoff_ms);
    expect(Math.max(...rejected)).toBeGreaterThanOrEqual(1000);
  });

  it('a book with a zero bid: nothing is quoted against it (crossed_book), then quoting resumes on a sane book', async () => {
    session = await startFakeVenueSession();
    const s = session;
    for (let i = 0; i < 50; i++) {
      s.ticker('0.0', '65000.2');
      await sleep(5);
    }
    await until('suppressed as crossed_book', () =>
      s.events.some((e) => e.event === 'quote_suppressed' && (e.fields as { reason: string }).reason === 'crossed_book'),
    );
    expect(s.fake.requestsTo('POST', '/fapi/v1/order')).toEqual([]);
    await until('quotes on a sane book', async () => {
      s.ticker('65000.0', '65000.2');
      await sleep(10);
      return s.fake.requestsTo('POST', '/fapi/v1/order').length >= 2;
    });
  });

  it('an unreadable exchangeInfo entry of a symbol we do not trade is reported and skipped; trading starts', async () => {
    session = await startFakeVenueSession((fake) => {
      const info = fake.exchangeInfo as { symbols: unknown[] };
      fake.exchangeInfo = { ...info, symbols: [{ symbol: 'BROKENUSDT', status: 'TRADING', filters: 'nope' }, ...info.symbols] };
    });
    const s = session;
    const malformed = s.events.find((e) => e.event === 'malformed_message');
    expect(malformed?.fields).toMatchObject({ source: 'rest:exchangeInfo', sample: 'BROKENUSDT' });
    expect(s.app.runner.state()).toBe('running');
  });

  it('a symbol we trade that is not TRADING: start-up refuses with the symbol and its status', async () => {
    const failure = await startFakeVenueSession((fake) => {
      const info = fake.exchangeInfo as { symbols: Array<Record<string, unknown>> };
      fake.exchangeInfo = { ...info, symbols: info.symbols.map((sym) => (sym.symbol === 'BTCUSDT' ? { ...sym, status: 'SETTLING' } : sym)) };
    }).then(
      (started) => {
        session = started;
        return null;
      },
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(SymbolNotTradingError);
    expect(String(failure)).toContain('BTCUSDT is not open for trading on the venue (exchangeInfo status SETTLING)');
  });
});
