/**
 * The architecture's rules are lint rules (eslint.config.js); these prove the doors that used to
 * be open are shut: the environment read through node:process or globalThis outside src/config,
 * the runner reaching for a concrete exchange or simulator class, timers and Date.now outside the
 * clock module. Each probe is linted as if it were a file at that path.
 */
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const eslint = new ESLint();

async function ruleHits(filePath: string, text: string): Promise<string[]> {
  const [result] = await eslint.lintText(text, { filePath });
  return (result?.messages ?? []).map((m) => `${m.line}:${m.ruleId ?? 'parse'}`);
}

describe('lint rules of the architecture', () => {
  it('outside src/config, the environment cannot be read through node:process or globalThis', async () => {
    const probe = "import { env } from 'node:process';\nexport const a = env['X'];\nexport const b = globalThis.process.env['Y'];\n";
    for (const dir of ['core', 'runner', 'exchange', 'sim']) {
      expect(await ruleHits(`src/${dir}/probe.ts`, probe), dir).toEqual(expect.arrayContaining(['1:no-restricted-imports', '3:no-restricted-properties']));
    }
    expect(await ruleHits('src/config/probe.ts', probe)).toEqual([]);
  });

  it('the runner trades through the Venue port, never a concrete exchange or simulator class', async () => {
    const probe =
      "import { BinanceVenue } from '../exchange/binance-venue.ts';\nimport { startSimulator } from '../sim/simulator.ts';\nexport const v = [BinanceVenue, startSimulator];\n";
    expect(await ruleHits('src/runner/probe.ts', probe)).toEqual(['1:no-restricted-imports', '2:no-restricted-imports']);
    expect(await ruleHits('src/app.ts', probe.replaceAll('../', './'))).toEqual([]);
  });

  it('the runner and the core take time from the injected Clock: no timers, no Date.now', async () => {
    const probe = 'export const t = setTimeout(() => undefined, 1);\nexport const i = setInterval(() => undefined, 1);\nexport const n = Date.now();\n';
    for (const file of ['src/runner/probe.ts', 'src/core/probe.ts']) {
      expect(await ruleHits(file, probe), file).toEqual(['1:no-restricted-globals', '2:no-restricted-globals', '3:no-restricted-properties']);
    }
    expect(await ruleHits('src/runner/clocks.ts', probe)).toEqual([]);
    const sleeping = "import { setTimeout as sleep } from 'node:timers/promises';\nexport const s = sleep;\n";
    expect(await ruleHits('src/runner/probe.ts', sleeping)).toEqual(['1:no-restricted-imports']);
  });

  it('so does everything else in src (telemetry, exchange, simulator, composition root); only the clock modules read the machine', async () => {
    const probe =
      "import { setTimeout as sleep } from 'node:timers/promises';\nimport { setImmediate as soon } from 'timers';\nexport const t = setTimeout(() => undefined, 1);\nexport const i = setInterval(() => undefined, 1);\nexport const n = Date.now();\nexport const f = [sleep, soon];\n";
    const expected = ['1:no-restricted-syntax', '2:no-restricted-syntax', '3:no-restricted-globals', '4:no-restricted-globals', '5:no-restricted-syntax'];
    for (const file of ['src/telemetry/probe.ts', 'src/exchange/probe.ts', 'src/sim/probe.ts', 'src/config/probe.ts', 'src/app.ts', 'src/main.ts']) {
      expect(await ruleHits(file, probe), file).toEqual(expected);
    }
    expect(await ruleHits('src/sim/wall-clock.ts', probe)).toEqual([]);
    expect(await ruleHits('src/telemetry/probe.ts', 'export const x = parseFloat("1.5");\n')).toEqual(['1:no-restricted-syntax']);
    const spanTime = 'export const t = performance.timeOrigin + performance.now();\n';
    expect(await ruleHits('src/telemetry/probe.ts', spanTime)).toEqual(['1:no-restricted-syntax', '1:no-restricted-syntax']);
    expect(await ruleHits('src/runner/probe.ts', spanTime)).toEqual(['1:no-restricted-properties', '1:no-restricted-properties']);
  });
});
