import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { FieldRecord, FieldValue } from '../../../src/core/events.ts';
import { jsonString, jsonValue, SortedLineSerializer } from '../../../src/telemetry/json-line.ts';
import { isSecretKey } from '../../../src/telemetry/masking.ts';

/** What the serializer must be equivalent to: keys sorted, non-finite numbers null. */
function canonical(value: unknown): unknown {
  if (typeof value === 'number') return Number.isFinite(value) ? value + 0 : null;
  if (Array.isArray(value)) return value.map(canonical);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

/** A slow, obviously correct sorted serializer (objects cannot hold integer-like keys in sorted order). */
function reference(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(reference).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((key) => `${reference(key)}:${reference((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(canonical(value))
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

const leaf = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.double(),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.constantFrom('\u2028', '\u2029', '\u0000\n\r\t"\\', '\ud800'),
);
/** Secret-looking names are masked (tested separately), so the round trip uses the others. */
const plainKey = fc.string().filter((key) => !isSecretKey(key));
const fieldValue: fc.Arbitrary<FieldValue> = fc.letrec<{ value: FieldValue }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    leaf,
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(plainKey, tie('value'), { maxKeys: 4 }),
  ),
})).value;

describe('jsonString', () => {
  it('escapes quotes, control characters and line separators', () => {
    expect(jsonString('plain')).toBe('"plain"');
    expect(jsonString('a"b\\c\n\u0001')).toBe('"a\\"b\\\\c\\n\\u0001"');
    expect(jsonString('x\u2028y\u2029z')).toBe('"x\\u2028y\\u2029z"');
    expect(jsonString('\ud800')).toBe('"\\ud800"');
  });
});

describe('jsonValue', () => {
  it('sorts keys at every depth and writes non-finite numbers as null', () => {
    expect(jsonValue({ b: 1, a: { d: Number.NaN, c: [Infinity, -0, 1.5] } }, null)).toBe('{"a":{"c":[null,0,1.5],"d":null},"b":1}');
  });

  it('property: parses back to the canonical form of its input and holds no raw line break', () => {
    fc.assert(
      fc.property(fc.dictionary(plainKey, fieldValue, { maxKeys: 6 }), (record) => {
        const json = jsonValue(record, null);
        expect(json).not.toMatch(/[\n\r\u2028\u2029]/);
        expect(JSON.parse(json)).toEqual(canonical(record));
        expect(json).toBe(reference(record));
      }),
      { numRuns: 1000 },
    );
  });
});

describe('SortedLineSerializer', () => {
  it('merges fixed keys into the sorted order and renames colliding fields', () => {
    const serializer = new SortedLineSerializer(['event', 'ts']);
    const line = serializer.line('demo', ['"demo"', '"T"'], { zeta: 1, alpha: 'a', ts: 'mine' });
    expect(line).toBe('{"_ts":"mine","alpha":"a","event":"demo","ts":"T","zeta":1}\n');
  });

  it('follows a change of shape under the same name', () => {
    const serializer = new SortedLineSerializer(['event']);
    expect(serializer.line('s', ['"s"'], { b: 1, a: 2 })).toBe('{"a":2,"b":1,"event":"s"}\n');
    expect(serializer.line('s', ['"s"'], { c: 3 })).toBe('{"c":3,"event":"s"}\n');
    expect(serializer.line('s', ['"s"'], { a: 2, b: 1 })).toBe('{"a":2,"b":1,"event":"s"}\n');
  });

  it('masks secret-named fields, also inside nested records', () => {
    const serializer = new SortedLineSerializer(['event']);
    const fields: FieldRecord = { listenKey: 'pqrstuvwxyz0123', config: { apiKey: 'abcdefghijkl', port: 1 } };
    expect(serializer.line('x', ['"x"'], fields)).toBe('{"config":{"apiKey":"abc*****","port":1},"event":"x","listenKey":"pqr*****"}\n');
  });
});
