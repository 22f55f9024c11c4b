import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createTextMasker, isSecretKey, maskText, maskUrlCredentials, maskValue } from '../../../src/telemetry/masking.ts';

const secretAlphabet = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'.split(''));
const secretArb = fc.string({ unit: secretAlphabet, minLength: 8, maxLength: 64 });

describe('maskValue', () => {
  it('keeps three characters of long values and hides short ones entirely', () => {
    expect(maskValue('abcdefgh')).toBe('abc*****');
    expect(maskValue('abcdefg')).toBe('*****');
    expect(maskValue('')).toBe('*****');
  });
});

describe('isSecretKey', () => {
  it('recognises secret-looking field names in any case', () => {
    for (const name of ['listenKey', 'apiKey', 'MM_API_SECRET', 'x-mbx-apikey', 'token', 'PASSWORD', 'signature']) expect(isSecretKey(name)).toBe(true);
    for (const name of ['symbol', 'client_id', 'qty', 'position', 'keep']) expect(isSecretKey(name)).toBe(false);
    expect(isSecretKey('listenKey')).toBe(true);
  });
});

describe('maskText', () => {
  it('masks signatures in URLs and known secrets in messages', () => {
    const text =
      'POST /fapi/v1/order?symbol=BTCUSDT&timestamp=1&signature=3c4f0a9e8b7d6c5b4a39281706f5e4d3c2b1a0f9e8d7c6b5a4938271605f4e3d failed with key vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A';
    const masked = maskText(text, ['vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A']);
    expect(masked).toBe('POST /fapi/v1/order?symbol=BTCUSDT&timestamp=1&signature=3c4***** failed with key vmP*****');
  });

  it('leaves text without secrets unchanged', () => {
    expect(maskText('nothing to see', ['SECRETSECRET'])).toBe('nothing to see');
  });

  it('property: no secret survives, whatever surrounds or overlaps it', () => {
    fc.assert(
      fc.property(
        fc.array(secretArb, { minLength: 1, maxLength: 3 }),
        fc.array(
          fc.oneof(
            fc.string(),
            secretArb,
            secretArb.map((s) => s.slice(2)),
          ),
          { maxLength: 8 },
        ),
        (secrets, pieces) => {
          const text = [...pieces, ...secrets, ...secrets.map((s) => s + s.slice(0, 5))].sort().join(pieces[0] ?? '');
          const masked = maskText(text, secrets);
          for (const secret of secrets) expect(masked).not.toContain(secret);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('masks Binance-shaped 64-character tokens it was not told about, and nothing shorter or longer', () => {
    const stray = 'Kq3vR8sT1uW6xY0zA2bC4dE6fG8hJ1kL3mN5pQ7rS9tU2vW4xY6zA8bC0dE2fG4h';
    expect(stray).toHaveLength(64);
    const mask = createTextMasker([]);
    expect(mask(`cannot read "${stray}" (ENOENT)`)).toBe('cannot read "Kq3*****" (ENOENT)');
    expect(mask(`/private/ws/${stray}`)).toBe('/private/ws/Kq3*****');
    const shorter = stray.slice(0, 63);
    const longer = `${stray}x`;
    expect(mask(`id ${shorter} and ${longer}`)).toBe(`id ${shorter} and ${longer}`);
    expect(mask('trace 4bf92f3577b34da6a3ce929d0e0e4736 span 00f067aa0ba902b7')).toBe('trace 4bf92f3577b34da6a3ce929d0e0e4736 span 00f067aa0ba902b7');
  });

  it('masks the credentials of any URL, entirely', () => {
    const mask = createTextMasker([]);
    expect(mask('GET https://mm:hunter2pass@fapi.example.com/fapi/v1/time failed')).toBe('GET https://*****@fapi.example.com/fapi/v1/time failed');
    expect(mask('wss://tokenOnlyUser@stream.example/ws')).toBe('wss://*****@stream.example/ws');
    expect(mask('mail me at a@b.c, see https://example.com/x?y=a@b')).toBe('mail me at a@b.c, see https://example.com/x?y=a@b');
    expect(maskUrlCredentials('http://u:p%40ss@127.0.0.1:8765')).toBe('http://*****@127.0.0.1:8765');
    expect(maskUrlCredentials('http://127.0.0.1:8765')).toBe('http://127.0.0.1:8765');
  });

  it('masks a known secret cut short by a truncated echo, from its first 8 characters', () => {
    const secret = 'e2eKeyQ7sT9vX2mN4pR6wY8zA1cE3gJ5lK0bD';
    const mask = createTextMasker([secret]);
    expect(mask(`X-MBX-APIKEY: ${secret.slice(0, 20)}`)).toBe('X-MBX-APIKEY: e2e*****');
    expect(mask(`key=${secret.slice(0, 7)}`)).toBe(`key=${secret.slice(0, 7)}`);
  });

  it('masks the credentials of a URL that follows a stray "://" (the next URL starts inside the text the first one scanned)', () => {
    expect(createTextMasker([])('see ://https://user:AAAAAAAU@host/p')).toBe('see ://https://*****@host/p');
  });

  it('property: no known secret, signature, URL password or 64-character token survives in any text', () => {
    const token = fc.string({ unit: secretAlphabet, minLength: 64, maxLength: 64 });
    const hex = fc.string({ unit: fc.constantFrom(...'0123456789abcdef'.split('')), minLength: 64, maxLength: 64 });
    const password = fc.string({ unit: secretAlphabet, minLength: 8, maxLength: 20 });
    const filler = fc.string({ unit: fc.constantFrom(' ', '&', '"', '/', ':', '=', 'x', '.', '\n'), maxLength: 5 });
    fc.assert(
      fc.property(secretArb, token, hex, password, fc.array(filler, { minLength: 5, maxLength: 5 }), (known, stray, signature, pass, gaps) => {
        const text = `${gaps[0]}${known}${gaps[1]}signature=${signature}${gaps[2]} ${stray} ${gaps[3]}https://user:${pass}@host/p${gaps[4]}`;
        const masked = createTextMasker([known])(text);
        for (const secret of [known, stray, signature, pass]) expect(masked).not.toContain(secret.slice(0, 8));
      }),
      { numRuns: 300 },
    );
  });

  it('property: masks exactly the standalone 64-character runs a regular expression finds', () => {
    const run = fc
      .oneof(fc.constantFrom(63, 64, 65, 127, 128, 129), fc.integer({ min: 1, max: 140 }))
      .chain((length) => fc.string({ unit: secretAlphabet, minLength: length, maxLength: length }));
    const separator = fc.constantFrom(' ', '-', '_', '/', '.', ',', '\n', 'é');
    const reference = /(?<![A-Za-z0-9])[A-Za-z0-9]{64}(?![A-Za-z0-9])/g;
    fc.assert(
      fc.property(fc.array(fc.tuple(run, separator), { maxLength: 6 }), (parts) => {
        const text = parts.map(([piece, sep]) => piece + sep).join('');
        expect(createTextMasker([])(text)).toBe(text.replace(reference, (token) => maskValue(token)));
      }),
      { numRuns: 500 },
    );
  });
});
