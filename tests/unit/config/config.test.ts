import { mkdtempSync, writeFileSync, existsSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseScaled } from '../../../src/core/decimal.ts';
import {
  ConfigError,
  configFields,
  configTableMarkdown,
  formatConfigError,
  helpText,
  loadConfig,
  redactedConfig,
  type Config,
} from '../../../src/config/index.ts';

function load(env: Record<string, string> = {}, argv: string[] = [], readFile?: (path: string) => string): Config {
  const result = loadConfig(readFile === undefined ? { env, argv } : { env, argv, readFile });
  if (result.kind !== 'config') throw new Error('expected a configuration');
  return result.config;
}

function issuesOf(env: Record<string, string>, argv: string[] = []): ConfigError {
  try {
    loadConfig({ env, argv });
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('defaults', () => {
  it('are valid and form a working market maker for the simulator', () => {
    const config = load();
    expect(config.command).toBe('run');
    expect(config.exchange).toBe('sim');
    expect(config.symbols).toEqual(['BTCUSDT']);
    expect(config.restUrl).toBeNull();
    expect(config.wsUrl).toBeNull();
    expect(config.orderTransport).toBe('ws');
    expect(config.wsApiUrl).toBeNull();
    expect(config.eventLog).toEqual({ path: 'logs/runner_events.log', maxBytes: 50 * 1024 * 1024, keep: 5 });
    expect(config.obs).toEqual({ enabled: true, host: '127.0.0.1', port: 9199 });
    expect(config.sim).toEqual({ seed: 42, fundingIntervalS: 60, startPosition: '0', host: '127.0.0.1', port: 8765 });
    expect(config.iterations).toBeNull();
    expect(config.freezeAtMs).toBeNull();
    expect(config.secrets).toEqual({ apiKey: null, apiSecret: null, simApiKey: null, simApiSecret: null });
    expect(config.strategy).toEqual({
      halfSpreadBps: 2,
      orderQty: '0.005',
      levels: 1,
      levelSpacingBps: 2,
      inventorySkewBps: 3,
      fundingSkewFactor: 0,
      requoteToleranceTicks: 50,
      softPositionNotional: '1000',
      hardPositionNotional: '2000',
      maxWorstCaseNotional: '3000',
      softReduceSizeFactor: 0.5,
      reduceOnlyClipQty: '0.005',
      minEdgeBps: -5,
      edgeWindowFills: 20,
      freezeCooldownMs: 30000,
      makerFeeRate: '0.0002',
      takerFeeRate: '0.0005',
      staleBookMs: 5000,
      grindEnabled: true,
      grindClipQty: '0.002',
      grindMinProfitBps: 3,
    });
  });

  it('quote at least the simulator minimum notional (100 USDT at ~65000)', () => {
    const qtyThousandths = parseScaled(load().strategy.orderQty, 3);
    expect(qtyThousandths * 65_000n >= 100n * 1000n).toBe(true);
  });

  it('default endpoints follow the exchange', () => {
    const secrets = { MM_API_KEY: 'k'.repeat(64), MM_API_SECRET: 's'.repeat(64) };
    expect(load({ ...secrets, MM_EXCHANGE: 'binance' })).toMatchObject({
      restUrl: 'https://fapi.binance.com',
      wsUrl: 'wss://fstream.binance.com',
      wsApiUrl: 'wss://ws-fapi.binance.com/ws-fapi/v1',
    });
    expect(load({ ...secrets, MM_EXCHANGE: 'binance-testnet' })).toMatchObject({
      restUrl: 'https://demo-fapi.binance.com',
      wsUrl: 'wss://fstream.binancefuture.com',
      wsApiUrl: 'wss://testnet.binancefuture.com/ws-fapi/v1',
    });
    expect(load({ MM_REST_URL: 'http://127.0.0.1:8765/', MM_WS_URL: 'ws://127.0.0.1:8765' })).toMatchObject({
      exchange: 'sim',
      restUrl: 'http://127.0.0.1:8765',
      wsUrl: 'ws://127.0.0.1:8765',
      wsApiUrl: 'ws://127.0.0.1:8765/ws-fapi/v1',
    });
    expect(load({ MM_ORDER_TRANSPORT: 'rest', MM_WS_API_URL: 'wss://example.test/ws-fapi/v1' })).toMatchObject({
      orderTransport: 'rest',
      wsApiUrl: 'wss://example.test/ws-fapi/v1',
    });
  });
});

describe('validation', () => {
  it('reports every bad field at once, named by variable and flag', () => {
    const error = issuesOf({
      MM_SYMBOLS: 'BTCUSDT,eth-usdt',
      MM_LEVELS: '0',
      MM_ORDER_QTY: '1e-3',
      MM_LOG_LEVEL: 'loud',
      MM_OBS_PORT: '70000',
      MM_MARGIN_TYPE: 'cross',
      MM_ORDER_TRANSPORT: 'websocket',
      MM_WS_API_URL: 'https://ws-fapi.binance.com/ws-fapi/v1',
    });
    const fields = error.issues.map((issue) => issue.field);
    expect(fields).toEqual(
      expect.arrayContaining([
        'MM_ORDER_TRANSPORT (--order-transport)',
        'MM_WS_API_URL (--ws-api-url)',
        'MM_SYMBOLS (--symbols)',
        'MM_LEVELS (--levels)',
        'MM_ORDER_QTY (--order-qty)',
        'MM_LOG_LEVEL (--log-level)',
        'MM_OBS_PORT (--obs-port)',
        'MM_MARGIN_TYPE (--margin-type)',
      ]),
    );
    expect(error.code).toBe('MM_ERR_CONFIG');
    const text = formatConfigError(error);
    expect(text.startsWith('invalid configuration:\n  ')).toBe(true);
    expect(text).toContain('MM_LEVELS (--levels): must be >= 1');
  });

  it('runs cross-field checks even when other fields are invalid', () => {
    const error = issuesOf({ MM_LEVELS: 'many', MM_SOFT_POSITION_NOTIONAL: '5000', MM_HARD_POSITION_NOTIONAL: '3000' });
    const fields = error.issues.map((issue) => issue.field);
    expect(fields).toContain('MM_LEVELS (--levels)');
    expect(fields).toContain('MM_HARD_POSITION_NOTIONAL (--hard-position-notional)');
  });

  it('requires hard <= worst-case limit and positive quantities', () => {
    const error = issuesOf({ MM_MAX_WORST_CASE_NOTIONAL: '1500', MM_ORDER_QTY: '0' });
    expect(error.issues.map((issue) => issue.field)).toEqual(
      expect.arrayContaining(['MM_MAX_WORST_CASE_NOTIONAL (--max-worst-case-notional)', 'MM_ORDER_QTY (--order-qty)']),
    );
  });

  it('rejects unknown MM_ variables and unknown flags together', () => {
    const error = issuesOf({ MM_HALF_SPRED_BPS: '3' }, ['--frobnicate', '--levels', '2']);
    expect(error.issues).toEqual(
      expect.arrayContaining([
        { field: 'MM_HALF_SPRED_BPS', message: 'unknown variable (see --help)' },
        { field: '--frobnicate', message: 'unknown option (see --help)' },
      ]),
    );
  });

  it('requires credentials for real exchanges', () => {
    const error = issuesOf({ MM_EXCHANGE: 'binance' });
    expect(error.issues.map((issue) => issue.field)).toEqual(['MM_API_KEY', 'MM_API_SECRET']);
  });

  it('validates number formats without floats for money', () => {
    expect(issuesOf({ MM_MAKER_FEE_RATE: '-0.0002' }).issues[0]?.field).toBe('MM_MAKER_FEE_RATE (--maker-fee-rate)');
    expect(issuesOf({ MM_HALF_SPREAD_BPS: '0' }).issues).toHaveLength(1);
    expect(issuesOf({ MM_CLIENT_ID_PREFIX: 'toolongprefix' }).issues[0]?.field).toBe('MM_CLIENT_ID_PREFIX (--client-id-prefix)');
    expect(issuesOf({ MM_FREEZE_UTC_ISO: '2026-11-21 19:52' }).issues[0]?.field).toBe('MM_FREEZE_UTC_ISO (--freeze-utc-iso)');
    expect(load({ MM_FREEZE_UTC_ISO: '2026-11-21T19:52:44.123Z' }).freezeAtMs).toBe(Date.UTC(2026, 10, 21, 19, 52, 44, 123));
  });

  it('treats an empty variable as unset', () => {
    expect(load({ MM_SYMBOLS: '', MM_ITERATIONS: '' }).symbols).toEqual(['BTCUSDT']);
  });
});

describe('command line', () => {
  it('flags win over environment variables', () => {
    const config = load({ MM_SYMBOLS: 'ETHUSDT', MM_LEVELS: '3', MM_SHADOW: 'true', MM_OBS: 'true' }, [
      '--symbols=solusdt,btcusdt',
      '--levels',
      '2',
      '--no-shadow',
      '--obs=false',
    ]);
    expect(config.symbols).toEqual(['SOLUSDT', 'BTCUSDT']);
    expect(config.strategy.levels).toBe(2);
    expect(config.shadow).toBe(false);
    expect(config.obs.enabled).toBe(false);
  });

  it('accepts negative numbers, sub-commands and bounded runs', () => {
    const config = load({}, ['sim', '--min-edge-bps', '-3', '--iterations', '10', '--shadow']);
    expect(config.command).toBe('sim');
    expect(config.strategy.minEdgeBps).toBe(-3);
    expect(config.iterations).toBe(10);
    expect(config.shadow).toBe(true);
  });

  it('refuses secrets as flags without echoing them', () => {
    const secret = 'Zq8SuperSecretValue0123456789';
    const error = issuesOf({}, ['--api-key', secret, `--api-secret=${secret}x`, '--apikey', `${secret}y`]);
    const text = formatConfigError(error) + error.message;
    expect(text).not.toContain(secret);
    expect(error.issues.map((issue) => issue.field)).toEqual(['--api-key', '--api-secret', '--apikey']);
    expect(error.issues[0]?.message).toContain('not accepted on the command line');
  });

  it('does not echo an unknown command that could be a credential', () => {
    const error = issuesOf({}, ['Zq8SuperSecretValue0123456789']);
    expect(formatConfigError(error)).not.toContain('Zq8Super');
    expect(formatConfigError(issuesOf({}, ['simulate']))).toContain('unknown command "simulate"');
  });

  it('reports a flag left without its value', () => {
    const error = issuesOf({}, ['--symbols', '--shadow', '--levels']);
    expect(error.issues.map((issue) => issue.message)).toEqual(['--symbols requires a value', '--levels requires a value']);
  });

  it('answers --help with text naming every flag and variable', () => {
    const result = loadConfig({ env: { MM_LEVELS: 'bad' }, argv: ['--help'] });
    expect(result.kind).toBe('help');
    const text = helpText();
    for (const field of configFields) {
      expect(text).toContain(field.env);
      if (field.kind !== 'secret') expect(text).toContain(field.flag);
    }
  });
});

describe('secrets', () => {
  it('reads them from files and keeps them out of the redacted config', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mm-config-'));
    const keyFile = join(dir, 'key');
    writeFileSync(keyFile, 'KEYkeyKEYkey1234567890\n');
    const config = load({ MM_EXCHANGE: 'binance', MM_API_KEY_FILE: keyFile, MM_API_SECRET: 'SECsecSECsec0987654321' });
    expect(config.secrets).toEqual({ apiKey: 'KEYkeyKEYkey1234567890', apiSecret: 'SECsecSECsec0987654321', simApiKey: null, simApiSecret: null });
    const redacted = JSON.stringify(redactedConfig(config));
    expect(redacted).not.toContain('KEYkeyKEYkey');
    expect(redacted).not.toContain('SECsecSECsec');
    expect(JSON.parse(redacted)).toMatchObject({ credentials: 'present', exchange: 'binance', strategy: { levels: 1 } });
  });

  it("takes the simulator's key pair from the environment only, both or neither, and keeps it out of the redacted config", () => {
    const config = load({ MM_SIM_API_KEY: 'simKEYsimKEY123', MM_SIM_API_SECRET: 'simSECsimSEC456' });
    expect(config.secrets).toMatchObject({ simApiKey: 'simKEYsimKEY123', simApiSecret: 'simSECsimSEC456' });
    const redacted = JSON.stringify(redactedConfig(config));
    expect(redacted).not.toContain('simKEYsimKEY');
    expect(redacted).not.toContain('simSECsimSEC');
    expect(issuesOf({ MM_SIM_API_KEY: 'simKEYsimKEY123' }).issues).toEqual([
      { field: 'MM_SIM_API_SECRET', message: 'the simulator needs both MM_SIM_API_KEY and MM_SIM_API_SECRET, or neither' },
    ]);
    const flag = issuesOf({}, ['--sim-api-secret=simSECsimSEC456']);
    expect(flag.issues[0]?.message).toBe('secrets are not accepted on the command line (it is visible in ps and in telemetry): set MM_SIM_API_SECRET');
    expect(formatConfigError(flag)).not.toContain('simSECsimSEC');
  });

  it('rejects a secret given both directly and as a file, and unreadable files', () => {
    const error = issuesOf({ MM_API_KEY: 'abcdefghijk', MM_API_KEY_FILE: '/nonexistent/a', MM_API_SECRET_FILE: '/nonexistent/mm-secret' });
    expect(error.issues).toEqual(
      expect.arrayContaining([
        { field: 'MM_API_KEY', message: 'set either MM_API_KEY or MM_API_KEY_FILE (--api-key-file), not both' },
        { field: 'MM_API_SECRET_FILE (--api-secret-file)', message: 'cannot read the file it names (ENOENT)' },
      ]),
    );
    expect(formatConfigError(error)).not.toContain('abcdefghijk');
  });

  it('never echo a secret pasted into the wrong variable (issue 12 item 7)', () => {
    const secret = 'vQ7rT2xZ9pL4mN8kJ3hG6fD1sA5wE0yUcB7nM2vX4zQ9pR6tL1kJ8hG3fD5sA0wE';
    const missing = issuesOf({ MM_API_SECRET_FILE: secret });
    const empty = (() => {
      try {
        loadConfig({ env: { MM_API_KEY_FILE: secret }, argv: [], readFile: () => '  \n' });
      } catch (error) {
        if (error instanceof ConfigError) return error;
      }
      throw new Error('expected a ConfigError');
    })();
    const symbols = issuesOf({ MM_SYMBOLS: secret });
    const shortSymbols = issuesOf({ MM_SYMBOLS: `BTCUSDT,${secret.slice(0, 20)}-x` });
    const flag = issuesOf({}, [`--${secret}`, '1']);
    for (const error of [missing, empty, symbols, shortSymbols, flag]) {
      const text = formatConfigError(error) + error.message;
      expect(text).not.toContain(secret.slice(0, 12));
      expect(text.toUpperCase()).not.toContain(secret.slice(0, 12).toUpperCase());
    }
    expect(missing.issues.map((issue) => issue.field)).toEqual(['MM_API_SECRET_FILE (--api-secret-file)']);
    expect(empty.issues.map((issue) => issue.field)).toEqual(['MM_API_KEY_FILE (--api-key-file)']);
    expect(symbols.issues.map((issue) => issue.field)).toEqual(['MM_SYMBOLS (--symbols)']);
    expect(formatConfigError(issuesOf({ MM_SYMBOLS: 'BTCUSDT,BTCUSDT' }))).toContain('lists BTCUSDT more than once');
  });

  it('masks credentials in the REST and WebSocket URLs of the logged configuration (issue 12 item 7)', () => {
    const config = load({ MM_REST_URL: 'http://mmuser:urlPassw0rd42@127.0.0.1:8765', MM_WS_URL: 'ws://wsuser:wsPassw0rd42@127.0.0.1:8765/' });
    const redacted = JSON.stringify(redactedConfig(config));
    expect(redacted).not.toContain('urlPassw0rd42');
    expect(redacted).not.toContain('wsPassw0rd42');
    expect(redactedConfig(config)).toMatchObject({ restUrl: 'http://*****@127.0.0.1:8765', wsUrl: 'ws://*****@127.0.0.1:8765' });
    expect(config.restUrl).toBe('http://mmuser:urlPassw0rd42@127.0.0.1:8765');
  });
});

describe('configFields', () => {
  it('names every variable MM_<SNAKE> with a kebab-case flag', () => {
    const envs = configFields.map((field) => field.env);
    expect(envs).toEqual(
      expect.arrayContaining([
        'MM_EXCHANGE',
        'MM_API_KEY_FILE',
        'MM_FREEZE_UTC_ISO',
        'MM_EVENT_LOG_MAX_BYTES',
        'MM_TELEMETRY_FLUSH_TIMEOUT_MS',
        'MM_SIM_FUNDING_INTERVAL_S',
        'MM_HALF_SPREAD_BPS',
        'MM_GRIND_MIN_PROFIT_BPS',
      ]),
    );
    expect(new Set(envs).size).toBe(envs.length);
    expect(configFields.find((field) => field.env === 'MM_HALF_SPREAD_BPS')?.flag).toBe('half-spread-bps');
    expect(configFields.filter((field) => field.kind === 'secret').map((field) => field.env)).toEqual([
      'MM_API_KEY',
      'MM_API_SECRET',
      'MM_SIM_API_KEY',
      'MM_SIM_API_SECRET',
    ]);
  });

  const readme = join(import.meta.dirname, '../../../README.md');
  it.skipIf(!existsSync(readme))('are all documented in the README', () => {
    const text = readFileSync(readme, 'utf8');
    const missing = configFields.map((field) => field.env).filter((env) => !text.includes(env));
    expect(missing).toEqual([]);
  });

  it.skipIf(!existsSync(readme))("make the README's configuration table, row for row (regenerate it with configTableMarkdown())", () => {
    const text = readFileSync(readme, 'utf8');
    const start = text.indexOf('| Variable | Flag | Default | Meaning |');
    const end = text.indexOf('\n\n', start);
    expect(start).toBeGreaterThan(0);
    expect(text.slice(start, end + 1)).toBe(configTableMarkdown());
  });
});
