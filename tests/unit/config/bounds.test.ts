/**
 * Issue 12 item 17: configuration values that no market maker means are refused at load, with
 * every bad field named at once: hosts that are not host names or IP literals, numbers outside
 * each field's documented range (2^53 - 1 included), and a quote ladder far from the market.
 */
import { describe, expect, it } from 'vitest';
import { parseScaled } from '../../../src/core/decimal.ts';
import { ConfigError, configFields, loadConfig } from '../../../src/config/index.ts';

function issuesOf(env: Record<string, string>): Array<{ field: string; message: string }> {
  try {
    loadConfig({ env, argv: [] });
  } catch (error) {
    if (error instanceof ConfigError) return error.issues.map((issue) => ({ field: issue.field.split(' ')[0] ?? issue.field, message: issue.message }));
    throw error;
  }
  return [];
}

function issueFields(env: Record<string, string>): string[] {
  return issuesOf(env).map((issue) => issue.field);
}

/** Returns the fields refused for being out of their own range (not for disagreeing with another field). */
function outOfRange(env: Record<string, string>): string[] {
  return issuesOf(env)
    .filter((issue) => /^must be (>=|>|<=) -?[\d.]+$/.test(issue.message))
    .map((issue) => issue.field);
}

const MAX_SAFE = String(Number.MAX_SAFE_INTEGER);

describe('hosts', () => {
  it('refuse what is neither a host name nor an IP literal ("0" would bind every interface)', () => {
    for (const bad of ['0', '127.1', '1234', '999.1.1.1', 'bad_host', '-leading.example', 'trailing-.example', 'a..b', 'http://x']) {
      expect(issueFields({ MM_OBS_HOST: bad }), bad).toEqual(['MM_OBS_HOST']);
      expect(issueFields({ MM_SIM_HOST: bad }), bad).toEqual(['MM_SIM_HOST']);
    }
  });

  it('accept host names and IPv4/IPv6 literals, 0.0.0.0 included', () => {
    for (const good of ['127.0.0.1', '0.0.0.0', 'localhost', '::1', '::', 'runner', 'mm-runner.monitoring.svc.cluster.local', 'host1.example']) {
      expect(issueFields({ MM_OBS_HOST: good, MM_OBS_PORT: '9300' }), good).toEqual([]);
    }
  });
});

describe('numeric fields', () => {
  it('refuse 2^53 - 1 and other values no market maker means', () => {
    const nonsense: Record<string, string> = {
      MM_ITERATIONS: MAX_SAFE,
      MM_EVENT_LOG_MAX_BYTES: MAX_SAFE,
      MM_SIM_SEED: MAX_SAFE,
      MM_SIM_FUNDING_INTERVAL_S: MAX_SAFE,
      MM_FREEZE_COOLDOWN_MS: MAX_SAFE,
      MM_STALE_BOOK_MS: MAX_SAFE,
      MM_REQUEST_TIMEOUT_MS: '300000',
      MM_RECV_WINDOW_MS: '1',
      MM_SHUTDOWN_TIMEOUT_MS: '1',
      MM_TELEMETRY_FLUSH_TIMEOUT_MS: '1',
      MM_ORDER_QTY: '9007199254740991',
      MM_REDUCE_ONLY_CLIP_QTY: '9007199254740991',
      MM_GRIND_CLIP_QTY: '9007199254740991',
      MM_SOFT_POSITION_NOTIONAL: '9007199254740990',
      MM_HARD_POSITION_NOTIONAL: '9007199254740991',
      MM_MAX_WORST_CASE_NOTIONAL: '9007199254740991',
      MM_SIM_START_POSITION: '-9007199254740991',
      MM_FUNDING_SKEW_FACTOR: '1000',
      MM_REQUOTE_TOLERANCE_TICKS: '1000000',
      MM_EDGE_WINDOW_FILLS: '100000',
      MM_MAKER_FEE_RATE: '0.1',
      MM_TAKER_FEE_RATE: '0.1',
      MM_GRIND_MIN_PROFIT_BPS: '10000',
      MM_INVENTORY_SKEW_BPS: '10000',
    };
    const named = issueFields(nonsense);
    for (const env of Object.keys(nonsense)) expect(named, env).toContain(env);
  });

  it('refuse a quote ladder far from the market: half spread + (levels - 1) x level spacing beyond 1000 bps', () => {
    expect(issueFields({ MM_HALF_SPREAD_BPS: '10000' })).toEqual(['MM_HALF_SPREAD_BPS']);
    expect(issueFields({ MM_LEVELS: '10', MM_LEVEL_SPACING_BPS: '10000' })).toContain('MM_LEVEL_SPACING_BPS');
    expect(issueFields({ MM_HALF_SPREAD_BPS: '500', MM_LEVELS: '10', MM_LEVEL_SPACING_BPS: '100' })).toEqual(['MM_HALF_SPREAD_BPS']);
    expect(issueFields({ MM_HALF_SPREAD_BPS: '100', MM_LEVELS: '10', MM_LEVEL_SPACING_BPS: '100' })).toEqual([]);
  });

  it("enforce exactly the range each field's description states: both ends accepted, just outside refused", () => {
    const ranged = configFields.filter((field) => field.range !== null);
    expect(ranged.length).toBeGreaterThan(30);
    for (const field of ranged) {
      const range = field.range!;
      expect(field.description, field.env).toContain(range.text);
      const step = range.kind === 'int' ? '1' : '0.0001';
      const inside = [range.max, range.minExclusive ? add(range.min, step) : range.min];
      const outside = [add(range.max, step), range.minExclusive ? range.min : add(range.min, `-${step}`)];
      for (const value of inside) expect(outOfRange({ [field.env]: value }), `${field.env}=${value}`).not.toContain(field.env);
      for (const value of outside) expect(issueFields({ [field.env]: value }), `${field.env}=${value}`).toContain(field.env);
    }
  });
});

/** Returns a + b for decimal strings, exactly, written without trailing zeros. */
function add(a: string, b: string): string {
  const scale = 8;
  const sum = parseScaled(a, scale) + parseScaled(b, scale);
  const sign = sum < 0n ? '-' : '';
  const digits = (sum < 0n ? -sum : sum).toString().padStart(scale + 1, '0');
  const fraction = digits.slice(-scale).replace(/0+$/, '');
  return `${sign}${digits.slice(0, -scale)}${fraction === '' ? '' : `.${fraction}`}`;
}
