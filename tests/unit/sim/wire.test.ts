import { describe, expect, it } from 'vitest';
import { BinanceApiError } from '../../../src/sim/errors.ts';
import { PublicBook } from '../../../src/sim/public-book.ts';
import { checkSignature, sign } from '../../../src/sim/signature.ts';
import { formatPrice, formatQty, parsePrice, parseQty } from '../../../src/sim/wire-numbers.ts';
import { BTC } from './engine-fixtures.ts';
import { asSteps, asTicks } from '../../../src/core/instrument.ts';

function codeOf(fn: () => unknown): number | null {
  try {
    fn();
    return null;
  } catch (error) {
    if (error instanceof BinanceApiError) return error.binanceCode;
    throw error;
  }
}

describe('wire numbers', () => {
  it('parses prices onto the tick grid with the code Binance gives for each fault', () => {
    expect(parsePrice(BTC, '65000.10')).toBe(650_001);
    expect(parsePrice(BTC, '65000.1')).toBe(650_001);
    expect(parsePrice(BTC, '65000.100')).toBe(650_001);
    expect(codeOf(() => parsePrice(BTC, '65000.15'))).toBe(-4014);
    expect(codeOf(() => parsePrice(BTC, '65000.123'))).toBe(-1111);
    expect(codeOf(() => parsePrice(BTC, '0'))).toBe(-4013);
    expect(codeOf(() => parsePrice(BTC, '1e5'))).toBe(-1130);
  });

  it('parses quantities onto the step grid', () => {
    expect(parseQty(BTC, '0.005')).toBe(5);
    expect(codeOf(() => parseQty(BTC, '0.0055'))).toBe(-1111);
    expect(codeOf(() => parseQty(BTC, '0'))).toBe(-4003);
    expect(codeOf(() => parseQty(BTC, '1000.001'))).toBe(-4005);
  });

  it('formats at the contract precision', () => {
    expect(formatPrice(BTC, asTicks(650_001))).toBe('65000.10');
    expect(formatQty(BTC, asSteps(5))).toBe('0.005');
  });
});

describe('signature', () => {
  it('checks the signature over query + body without the signature parameter', () => {
    const secret = 'secret';
    const query = 'symbol=BTCUSDT&timestamp=1';
    expect(checkSignature(secret, `${query}&signature=${sign(secret, query)}`, '')).toBe('valid');
    expect(checkSignature(secret, `${query}&signature=${sign(secret, query).toUpperCase()}`, '')).toBe('valid');
    expect(checkSignature(secret, 'a=1', `b=2&signature=${sign(secret, 'a=1b=2')}`)).toBe('valid');
    expect(checkSignature(secret, `${query}&signature=${sign('other', query)}`, '')).toBe('invalid');
    expect(checkSignature(secret, query, '')).toBe('missing');
  });
});

describe('PublicBook', () => {
  it('chains update ids across batches and reports top changes', () => {
    const book = new PublicBook(100);
    expect(book.update({ bids: [[asTicks(10), asSteps(5)]], asks: [[asTicks(11), asSteps(5)]] }, { bids: new Map(), asks: new Map() })).toBe(true);
    expect(
      book.update({ bids: [[asTicks(10), asSteps(5)]], asks: [[asTicks(11), asSteps(5)]] }, { bids: new Map([[asTicks(9), asSteps(2)]]), asks: new Map() }),
    ).toBe(false);
    const first = book.flush();
    expect(first).toMatchObject({
      firstUpdateId: 101,
      finalUpdateId: 102,
      prevFinalUpdateId: 100,
      bids: [
        [10, 5],
        [9, 2],
      ],
      asks: [[11, 5]],
    });
    expect(book.flush()).toBeNull();
    book.update({ bids: [[asTicks(10), asSteps(4)]], asks: [[asTicks(11), asSteps(5)]] }, { bids: new Map(), asks: new Map() });
    expect(book.flush()).toMatchObject({
      firstUpdateId: 103,
      finalUpdateId: 103,
      prevFinalUpdateId: 102,
      bids: [
        [10, 4],
        [9, 0],
      ],
    });
    expect(book.snapshot(10)).toEqual({ lastUpdateId: 103, bids: [[10, 4]], asks: [[11, 5]] });
  });
});
