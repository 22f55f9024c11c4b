/**
 * The one configuration schema. Its input is the raw record of strings gathered from the
 * environment and the command line (defaults already filled in, see load.ts); its output is
 * the typed `Config`. The object is strict, every field is checked, and the cross-field checks
 * run even when some fields are invalid, so one run reports every problem. A little over 400
 * lines: one schema, whose cross-field checks read the fields defined beside them.
 */
import { isIP } from 'node:net';
import { z } from 'zod';
import { compareDecimal } from '../core/decimal.ts';
import type { MarginType } from '../core/model.ts';
import type { StrategyParams } from '../core/params.ts';
import { fieldRange, MAX_LADDER_REACH_BPS, type FieldKey, type FieldRange } from './fields.ts';

export type ExchangeName = 'sim' | 'binance-testnet' | 'binance';
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type OrderTransportName = 'ws' | 'rest';
export type Command = 'run' | 'sim';

/** The validated configuration. Secrets live only in `secrets`; see `redactedConfig`. */
export interface Config {
  readonly command: Command;
  readonly exchange: ExchangeName;
  readonly symbols: readonly string[];
  /** REST base URL, or null for the in-process simulator. */
  readonly restUrl: string | null;
  /** WebSocket base URL, or null for the in-process simulator. */
  readonly wsUrl: string | null;
  /** How orders travel: the WebSocket API with REST as the fallback, or REST only. */
  readonly orderTransport: OrderTransportName;
  /** WebSocket API URL, or null for the in-process simulator. */
  readonly wsApiUrl: string | null;
  readonly shadow: boolean;
  /** Decision cycles before a bounded run stops, or null to run until stopped. */
  readonly iterations: number | null;
  readonly eventLog: { readonly path: string; readonly maxBytes: number; readonly keep: number };
  readonly snapshotIntervalS: number;
  /** The frozen wall-clock instant (MM_FREEZE_UTC_ISO) in epoch ms, or null. */
  readonly freezeAtMs: number | null;
  readonly obs: { readonly enabled: boolean; readonly host: string; readonly port: number };
  readonly logLevel: LogLevel;
  readonly environment: string;
  readonly leverage: number;
  readonly marginType: MarginType;
  readonly clientIdPrefix: string;
  readonly recvWindowMs: number;
  readonly requestTimeoutMs: number;
  /** countdownCancelAll countdown, ms; 0 disables the dead-man switch. */
  readonly deadmanMs: number;
  readonly shutdownTimeoutMs: number;
  readonly telemetryFlushTimeoutMs: number;
  readonly sim: { readonly seed: number; readonly fundingIntervalS: number; readonly startPosition: string; readonly host: string; readonly port: number };
  readonly strategy: StrategyParams;
  /** The venue credentials, and those of the simulator (null: its documented defaults). */
  readonly secrets: {
    readonly apiKey: string | null;
    readonly apiSecret: string | null;
    readonly simApiKey: string | null;
    readonly simApiSecret: string | null;
  };
}

/** Default endpoints of the real venues. */
export const DEFAULT_ENDPOINTS = {
  binance: { restUrl: 'https://fapi.binance.com', wsUrl: 'wss://fstream.binance.com', wsApiUrl: 'wss://ws-fapi.binance.com/ws-fapi/v1' },
  'binance-testnet': {
    restUrl: 'https://demo-fapi.binance.com',
    wsUrl: 'wss://fstream.binancefuture.com',
    wsApiUrl: 'wss://testnet.binancefuture.com/ws-fapi/v1',
  },
} as const;

const INT_RE = /^-?\d+$/;
const NUMBER_RE = /^-?\d+(?:\.\d+)?$/;
const DECIMAL_RE = /^\d+(?:\.\d+)?$/;
const SIGNED_DECIMAL_RE = /^-?\d+(?:\.\d+)?$/;
const HOST_LABEL_RE = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/;
const SYMBOL_RE = /^[A-Z0-9]{2,24}$/;
const ISO_INSTANT_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2})$/;
const BOOLEANS: Readonly<Record<string, boolean>> = { true: true, false: false, '1': true, '0': false, yes: true, no: false, on: true, off: false };

function int(min: number, max: number) {
  return z
    .string()
    .trim()
    .regex(INT_RE, 'must be an integer')
    .transform(Number)
    .pipe(z.number().min(min, `must be >= ${min}`).max(max, `must be <= ${max}`));
}

function num(min: number, max: number, minExclusive: boolean) {
  const lower = minExclusive ? z.number().gt(min, `must be > ${min}`) : z.number().min(min, `must be >= ${min}`);
  return z
    .string()
    .trim()
    .regex(NUMBER_RE, 'must be a number such as 2 or -0.5')
    .transform(Number)
    .pipe(lower.max(max, `must be <= ${max}`));
}

function decimal(min: string, max: string, minExclusive: boolean) {
  const signed = compareDecimal(min, '0') < 0;
  const format = signed ? SIGNED_DECIMAL_RE : DECIMAL_RE;
  return z
    .string()
    .trim()
    .regex(format, signed ? 'must be a signed decimal string such as "-0.040" or "0"' : 'must be a non-negative decimal string such as "0.005"')
    .superRefine((text, ctx) => {
      if (!format.test(text)) return;
      const low = compareDecimal(text, min);
      if (minExclusive ? low <= 0 : low < 0) ctx.addIssue({ code: 'custom', message: `must be ${minExclusive ? '>' : '>='} ${min}` });
      if (compareDecimal(text, max) > 0) ctx.addIssue({ code: 'custom', message: `must be <= ${max}` });
    });
}

/** Returns the schema of a numeric field, bounded by the range its description states (fields.ts). */
function ranged(key: FieldKey, kind: FieldRange['kind']): FieldRange {
  const r = fieldRange(key);
  if (r.kind !== kind) throw new Error(`configuration field ${key} is a ${r.kind}, not a ${kind}`);
  return r;
}

function intField(key: FieldKey) {
  const r = ranged(key, 'int');
  return int(Number(r.min), Number(r.max));
}

function numberField(key: FieldKey) {
  const r = ranged(key, 'number');
  return num(Number(r.min), Number(r.max), r.minExclusive);
}

function decimalField(key: FieldKey) {
  const r = ranged(key, 'decimal');
  return decimal(r.min, r.max, r.minExclusive);
}

function bool() {
  return z
    .string()
    .trim()
    .refine((text) => text.toLowerCase() in BOOLEANS, 'must be true or false')
    .transform((text) => BOOLEANS[text.toLowerCase()] === true);
}

/**
 * Returns true for an IPv4 or IPv6 literal, or a host name of letters, digits and inner hyphens
 * whose last label is not all digits ("0" or "127.1" are not names but shorthand IPv4 that the
 * OS reads as 0.0.0.0 or 127.0.0.1).
 */
function isHostNameOrIp(text: string): boolean {
  if (isIP(text) !== 0) return true;
  if (text.length === 0 || text.length > 253) return false;
  const labels = text.split('.');
  if (!labels.every((label) => HOST_LABEL_RE.test(label))) return false;
  return !/^\d+$/.test(labels[labels.length - 1] ?? '');
}

function host() {
  return z.string().trim().refine(isHostNameOrIp, 'must be a host name (e.g. localhost) or an IP literal (e.g. 127.0.0.1, ::1; 0.0.0.0 for every interface)');
}

function url(protocols: readonly string[]) {
  return z
    .string()
    .trim()
    .refine((text) => URL.canParse(text), 'must be an absolute URL')
    .refine((text) => !URL.canParse(text) || protocols.includes(new URL(text).protocol), `must use ${protocols.join(' or ')}`)
    .transform((text) => text.replace(/\/+$/, ''));
}

function symbols() {
  return z
    .string()
    .transform((text) => text.split(',').map((symbol) => symbol.trim().toUpperCase()))
    .superRefine((list, ctx) => {
      if (list.length === 1 && list[0] === '') {
        ctx.addIssue({ code: 'custom', message: 'must name at least one symbol' });
        return;
      }
      // An entry that is not a symbol may be a secret pasted into the wrong variable: named by position only.
      list.forEach((symbol, i) => {
        if (!SYMBOL_RE.test(symbol))
          ctx.addIssue({ code: 'custom', message: `entry ${i + 1} of ${list.length} is not a symbol (2-24 letters or digits, e.g. BTCUSDT)` });
      });
      const duplicates = list.filter((symbol, i) => list.indexOf(symbol) !== i);
      if (duplicates.length > 0) ctx.addIssue({ code: 'custom', message: `lists ${[...new Set(duplicates)].join(', ')} more than once` });
    });
}

function isoInstant() {
  return z
    .string()
    .trim()
    .regex(ISO_INSTANT_RE, 'must be an ISO-8601 instant with a time zone, e.g. 2026-11-21T19:52:44Z')
    .transform((text) => Date.parse(text))
    .pipe(z.number().refine(Number.isFinite, 'is not a valid date'));
}

const shape = {
  exchange: z.enum(['sim', 'binance-testnet', 'binance'], 'must be sim, binance-testnet or binance'),
  symbols: symbols(),
  apiKey: z.string().trim().min(1, 'must not be empty').optional(),
  apiSecret: z.string().trim().min(1, 'must not be empty').optional(),
  apiKeyFile: z.string().min(1).optional(),
  apiSecretFile: z.string().min(1).optional(),
  restUrl: url(['http:', 'https:']).optional(),
  wsUrl: url(['ws:', 'wss:']).optional(),
  orderTransport: z.enum(['ws', 'rest'], 'must be ws or rest'),
  wsApiUrl: url(['ws:', 'wss:']).optional(),
  shadow: bool(),
  iterations: intField('iterations').optional(),
  eventLog: z.string().trim().min(1, 'must be a file path'),
  eventLogMaxBytes: intField('eventLogMaxBytes'),
  eventLogKeep: intField('eventLogKeep'),
  snapshotIntervalS: intField('snapshotIntervalS'),
  freezeUtcIso: isoInstant().optional(),
  obs: bool(),
  obsHost: host(),
  obsPort: intField('obsPort'),
  logLevel: z.enum(['debug', 'info', 'warn', 'error'], 'must be debug, info, warn or error'),
  environment: z
    .string()
    .trim()
    .regex(/^[\w.-]{1,64}$/, 'must be 1-64 characters of letters, digits, "_", "." or "-"'),
  leverage: intField('leverage'),
  marginType: z.enum(['CROSSED', 'ISOLATED'], 'must be CROSSED or ISOLATED'),
  clientIdPrefix: z.string().regex(/^[A-Za-z0-9]{1,8}$/, 'must be 1-8 characters of A-Z, a-z, 0-9 (the id suffix takes 20 of the 36 allowed)'),
  recvWindowMs: intField('recvWindowMs'),
  requestTimeoutMs: intField('requestTimeoutMs'),
  deadmanMs: intField('deadmanMs'),
  shutdownTimeoutMs: intField('shutdownTimeoutMs'),
  telemetryFlushTimeoutMs: intField('telemetryFlushTimeoutMs'),
  simSeed: intField('simSeed'),
  simFundingIntervalS: intField('simFundingIntervalS'),
  simStartPosition: decimalField('simStartPosition'),
  simHost: host(),
  simPort: intField('simPort'),
  simApiKey: z.string().trim().min(1, 'must not be empty').optional(),
  simApiSecret: z.string().trim().min(1, 'must not be empty').optional(),
  halfSpreadBps: numberField('halfSpreadBps'),
  orderQty: decimalField('orderQty'),
  levels: intField('levels'),
  levelSpacingBps: numberField('levelSpacingBps'),
  inventorySkewBps: numberField('inventorySkewBps'),
  fundingSkewFactor: numberField('fundingSkewFactor'),
  requoteToleranceTicks: intField('requoteToleranceTicks'),
  softPositionNotional: decimalField('softPositionNotional'),
  hardPositionNotional: decimalField('hardPositionNotional'),
  maxWorstCaseNotional: decimalField('maxWorstCaseNotional'),
  softReduceSizeFactor: numberField('softReduceSizeFactor'),
  reduceOnlyClipQty: decimalField('reduceOnlyClipQty'),
  minEdgeBps: numberField('minEdgeBps'),
  edgeWindowFills: intField('edgeWindowFills'),
  freezeCooldownMs: intField('freezeCooldownMs'),
  makerFeeRate: decimalField('makerFeeRate'),
  takerFeeRate: decimalField('takerFeeRate'),
  staleBookMs: intField('staleBookMs'),
  grindEnabled: bool(),
  grindClipQty: decimalField('grindClipQty'),
  grindMinProfitBps: numberField('grindMinProfitBps'),
} satisfies Record<FieldKey, z.ZodType>;

type Fields = z.output<z.ZodObject<typeof shape>>;

/** Keys whose own validation failed, per value, so cross-field checks can skip them. */
const failedKeys = new WeakMap<object, ReadonlySet<PropertyKey>>();

function crossFieldChecks(fields: Fields, ctx: z.RefinementCtx<Fields>): void {
  const failed = failedKeys.get(fields) ?? new Set<PropertyKey>();
  const ok = (...keys: FieldKey[]): boolean => keys.every((key) => !failed.has(key));
  const issue = (key: FieldKey, message: string): void => ctx.addIssue({ code: 'custom', path: [key], message });

  if (ok('grindEnabled', 'grindClipQty') && fields.grindEnabled && compareDecimal(fields.grindClipQty, '0') <= 0) {
    issue('grindClipQty', 'must be > 0 while grinding is enabled');
  }
  if (ok('softPositionNotional', 'hardPositionNotional') && compareDecimal(fields.softPositionNotional, fields.hardPositionNotional) >= 0) {
    issue('hardPositionNotional', `must be greater than MM_SOFT_POSITION_NOTIONAL (${fields.softPositionNotional})`);
  }
  if (ok('hardPositionNotional', 'maxWorstCaseNotional') && compareDecimal(fields.hardPositionNotional, fields.maxWorstCaseNotional) > 0) {
    issue('maxWorstCaseNotional', `must be at least MM_HARD_POSITION_NOTIONAL (${fields.hardPositionNotional})`);
  }
  if (ok('halfSpreadBps', 'levels', 'levelSpacingBps')) {
    const reach = ladderReachBps(fields);
    if (reach > MAX_LADDER_REACH_BPS) {
      issue(
        'halfSpreadBps',
        `puts the outermost quote ${reach} bps from mid (MM_HALF_SPREAD_BPS + (MM_LEVELS - 1) x MM_LEVEL_SPACING_BPS); at most ${MAX_LADDER_REACH_BPS} bps quotes near the market`,
      );
    }
  }
  if (ok('exchange') && fields.exchange !== 'sim') {
    if (ok('apiKey') && fields.apiKey === undefined) issue('apiKey', `is required for ${fields.exchange} (set MM_API_KEY or MM_API_KEY_FILE)`);
    if (ok('apiSecret') && fields.apiSecret === undefined) issue('apiSecret', `is required for ${fields.exchange} (set MM_API_SECRET or MM_API_SECRET_FILE)`);
  }
  if (ok('simApiKey', 'simApiSecret') && (fields.simApiKey === undefined) !== (fields.simApiSecret === undefined)) {
    issue(fields.simApiKey === undefined ? 'simApiKey' : 'simApiSecret', 'the simulator needs both MM_SIM_API_KEY and MM_SIM_API_SECRET, or neither');
  }
  if (ok('exchange', 'restUrl', 'wsUrl') && fields.exchange === 'sim' && (fields.restUrl === undefined) !== (fields.wsUrl === undefined)) {
    issue(fields.restUrl === undefined ? 'restUrl' : 'wsUrl', 'an external simulator needs both MM_REST_URL and MM_WS_URL');
  }
  if (
    ok('obs', 'obsHost', 'obsPort', 'simHost', 'simPort') &&
    fields.obs &&
    fields.obsPort !== 0 &&
    fields.obsPort === fields.simPort &&
    fields.obsHost === fields.simHost
  ) {
    issue('obsPort', `must differ from MM_SIM_PORT (${fields.simPort})`);
  }
  if (ok('deadmanMs', 'requestTimeoutMs') && fields.deadmanMs > 0 && fields.deadmanMs < fields.requestTimeoutMs) {
    issue('deadmanMs', `must be 0 (disabled) or at least MM_REQUEST_TIMEOUT_MS (${fields.requestTimeoutMs}), or one slow re-arm request lets it fire`);
  }
}

/** Returns how far from mid the outermost quote level sits, bps: half spread + (levels - 1) x level spacing. */
export function ladderReachBps(geometry: { readonly halfSpreadBps: number; readonly levels: number; readonly levelSpacingBps: number }): number {
  return geometry.halfSpreadBps + (geometry.levels - 1) * geometry.levelSpacingBps;
}

/** Builds the typed configuration from validated fields. */
function toConfig(fields: Fields, command: Command): Config {
  const endpoints = fields.exchange === 'sim' ? null : DEFAULT_ENDPOINTS[fields.exchange];
  return {
    command,
    exchange: fields.exchange,
    symbols: fields.symbols,
    restUrl: fields.restUrl ?? endpoints?.restUrl ?? null,
    wsUrl: fields.wsUrl ?? endpoints?.wsUrl ?? null,
    orderTransport: fields.orderTransport,
    wsApiUrl: fields.wsApiUrl ?? endpoints?.wsApiUrl ?? (fields.wsUrl === undefined ? null : `${fields.wsUrl.replace(/\/+$/, '')}/ws-fapi/v1`),
    shadow: fields.shadow,
    iterations: fields.iterations ?? null,
    eventLog: { path: fields.eventLog, maxBytes: fields.eventLogMaxBytes, keep: fields.eventLogKeep },
    snapshotIntervalS: fields.snapshotIntervalS,
    freezeAtMs: fields.freezeUtcIso ?? null,
    obs: { enabled: fields.obs, host: fields.obsHost, port: fields.obsPort },
    logLevel: fields.logLevel,
    environment: fields.environment,
    leverage: fields.leverage,
    marginType: fields.marginType,
    clientIdPrefix: fields.clientIdPrefix,
    recvWindowMs: fields.recvWindowMs,
    requestTimeoutMs: fields.requestTimeoutMs,
    deadmanMs: fields.deadmanMs,
    shutdownTimeoutMs: fields.shutdownTimeoutMs,
    telemetryFlushTimeoutMs: fields.telemetryFlushTimeoutMs,
    sim: {
      seed: fields.simSeed,
      fundingIntervalS: fields.simFundingIntervalS,
      startPosition: fields.simStartPosition,
      host: fields.simHost,
      port: fields.simPort,
    },
    strategy: {
      halfSpreadBps: fields.halfSpreadBps,
      orderQty: fields.orderQty,
      levels: fields.levels,
      levelSpacingBps: fields.levelSpacingBps,
      inventorySkewBps: fields.inventorySkewBps,
      fundingSkewFactor: fields.fundingSkewFactor,
      requoteToleranceTicks: fields.requoteToleranceTicks,
      softPositionNotional: fields.softPositionNotional,
      hardPositionNotional: fields.hardPositionNotional,
      maxWorstCaseNotional: fields.maxWorstCaseNotional,
      softReduceSizeFactor: fields.softReduceSizeFactor,
      reduceOnlyClipQty: fields.reduceOnlyClipQty,
      minEdgeBps: fields.minEdgeBps,
      edgeWindowFills: fields.edgeWindowFills,
      freezeCooldownMs: fields.freezeCooldownMs,
      makerFeeRate: fields.makerFeeRate,
      takerFeeRate: fields.takerFeeRate,
      staleBookMs: fields.staleBookMs,
      grindEnabled: fields.grindEnabled,
      grindClipQty: fields.grindClipQty,
      grindMinProfitBps: fields.grindMinProfitBps,
    },
    secrets: {
      apiKey: fields.apiKey ?? null,
      apiSecret: fields.apiSecret ?? null,
      simApiKey: fields.simApiKey ?? null,
      simApiSecret: fields.simApiSecret ?? null,
    },
  };
}

/**
 * Returns the configuration schema for a sub-command: a strict object of raw strings keyed by
 * field key, transformed into a `Config`.
 */
export function configSchema(command: Command) {
  return z
    .strictObject(shape)
    .superRefine(crossFieldChecks, {
      when: (payload) => {
        if (typeof payload.value === 'object' && payload.value !== null) {
          failedKeys.set(payload.value, new Set(payload.issues.map((issue) => issue.path?.[0]).filter((key) => key !== undefined)));
        }
        return true;
      },
    })
    .transform((fields) => toConfig(fields, command));
}

/** The raw record the schema accepts: field key to the string written in env or flags. */
export type RawConfig = Readonly<Record<string, string>>;
