import { describe, expect, it } from 'vitest';
import { runStandaloneSimulator } from '../../../src/sim/standalone.ts';

describe('runStandaloneSimulator', () => {
  it('prints where it listens, serves requests, and stops when told', async () => {
    const lines: string[] = [];
    const stop = new AbortController();
    const running = runStandaloneSimulator({ port: 0, symbols: ['ETHUSDT'], print: (line) => lines.push(line), stop: stop.signal });
    while (!lines.some((l) => l.includes('REST'))) await new Promise((r) => setTimeout(r, 10));
    const restUrl = /REST\s+(\S+)/.exec(lines.find((l) => l.includes('REST'))!)![1]!;
    const response = await fetch(`${restUrl}/fapi/v1/ticker/bookTicker?symbol=ETHUSDT`);
    expect(await response.json()).toMatchObject({ symbol: 'ETHUSDT' });
    stop.abort();
    await running;
    expect(lines.at(-1)).toBe('simulator stopping on abort');
    await expect(fetch(`${restUrl}/fapi/v1/ping`)).rejects.toThrow();
  });
});
