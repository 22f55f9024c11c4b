import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CLIENT_ORDER_ID_PATTERN, ClientOrderIds, isOurClientOrderId } from '../../../src/core/client-order-ids.ts';

describe('ClientOrderIds', () => {
  it('generates valid, unique ids that carry the prefix, session and purpose', () => {
    const ids = new ClientOrderIds('mm', 'm3k2x9q1');
    const seen = new Set<string>();
    for (let i = 0; i < 5_000; i += 1) {
      const id = ids.next(i % 2 === 0 ? 'q' : 'g');
      expect(id).toMatch(CLIENT_ORDER_ID_PATTERN);
      expect(seen.has(id)).toBe(false);
      seen.add(id);
    }
    expect(ids.next('r')).toBe('mm-m3k2x9q1-r3ux'); // 5001 in base 36
  });

  it('never collides across sessions, even at the longest prefix, session and counter', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z0-9]{1,12}$/), fc.stringMatching(/^[a-z0-9]{1,12}$/), (a, b) => {
        fc.pre(a !== b);
        const first = new ClientOrderIds('abcdefghij', a);
        const second = new ClientOrderIds('abcdefghij', b);
        const idsA = new Set([first.next('q'), first.next('q'), first.next('r')]);
        for (const id of [second.next('q'), second.next('q'), second.next('r')]) {
          expect(idsA.has(id)).toBe(false);
          expect(id.length).toBeLessThanOrEqual(36);
        }
      }),
    );
  });

  it('rejects prefixes and session ids that would make invalid ids', () => {
    expect(() => new ClientOrderIds('bad prefix', 'abc')).toThrow(RangeError);
    expect(() => new ClientOrderIds('mm', 'ABC')).toThrow(RangeError);
    expect(() => new ClientOrderIds('abcdefghijk', 'abc')).toThrow(RangeError);
  });

  it('recognizes our ids by prefix', () => {
    expect(isOurClientOrderId('mm', 'mm-abc-q1')).toBe(true);
    expect(isOurClientOrderId('mm', 'web_12345')).toBe(false);
    expect(isOurClientOrderId('mm', 'mmx-abc-q1')).toBe(false);
  });
});
