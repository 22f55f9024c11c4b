/**
 * The table of every configuration field: its environment variable, its command-line flag,
 * its default and what it does. The schema, the `--help` text and the README check are all
 * driven from this one table so they cannot disagree.
 */

/** How a field is written on the command line. */
export type FieldKind =
  /** `--flag value` or `--flag=value`. */
  | 'value'
  /** `--flag`, `--no-flag` or `--flag=true|false`. */
  | 'boolean'
  /** Environment only: never accepted as a flag (command lines leak into `ps` and telemetry). */
  | 'secret';

/** The values a numeric field accepts; the schema enforces it and the description states it. */
export interface FieldRange {
  /** int: whole numbers; number: plain numbers such as 2 or -0.5 (bps, factors); decimal: exact decimal strings (quantities, money). */
  readonly kind: 'int' | 'number' | 'decimal';
  readonly min: string;
  readonly max: string;
  /** True when `min` itself is refused (the value must be greater). */
  readonly minExclusive: boolean;
  /** How the description states the range, e.g. "Range: 1 to 60000.". */
  readonly text: string;
}

export interface ConfigField {
  /** The key in the raw configuration record (camelCase). */
  readonly key: string;
  /** The environment variable, e.g. MM_HALF_SPREAD_BPS. */
  readonly env: string;
  /** The flag without dashes, e.g. half-spread-bps (also the name a refused secret flag has). */
  readonly flag: string;
  readonly kind: FieldKind;
  /** The default as written in the environment, or null when the field has none. */
  readonly default: string | null;
  /** What the field does, ending with its range when it has one. */
  readonly description: string;
  /** The accepted values of a numeric field, or null. */
  readonly range: FieldRange | null;
}

interface FieldSpec {
  readonly key: string;
  readonly kind?: FieldKind;
  readonly default: string | null;
  readonly description: string;
  readonly range?: Omit<FieldRange, 'text'>;
}

const MIB = 1024 * 1024;

function range(kind: FieldRange['kind'], min: number | string, max: number | string, minExclusive = false): Omit<FieldRange, 'text'> {
  return { kind, min: String(min), max: String(max), minExclusive };
}

const ints = (min: number, max: number) => range('int', min, max);
const numbers = (min: number, max: number, minExclusive = false) => range('number', min, max, minExclusive);
const decimals = (min: string, max: string, minExclusive = false) => range('decimal', min, max, minExclusive);

/** Largest quantity the configuration accepts before the venue's own LOT_SIZE maxQty is known. */
const MAX_QTY = '1000000000';
/** Largest notional limit (quote currency) the configuration accepts. */
const MAX_NOTIONAL = '100000000';
/** How far from mid the outermost quote level may sit, bps (see schema.ts). */
export const MAX_LADDER_REACH_BPS = 1000;

const SPECS = [
  { key: 'exchange', default: 'sim', description: 'Venue: sim (in-process simulator), binance-testnet or binance.' },
  { key: 'symbols', default: 'BTCUSDT', description: 'Comma-separated symbols to quote, e.g. BTCUSDT,ETHUSDT.' },
  { key: 'apiKey', kind: 'secret', default: null, description: 'API key (environment only; required for binance and binance-testnet).' },
  { key: 'apiSecret', kind: 'secret', default: null, description: 'API secret (environment only; required for binance and binance-testnet).' },
  { key: 'apiKeyFile', default: null, description: 'File holding the API key (instead of MM_API_KEY).' },
  { key: 'apiSecretFile', default: null, description: 'File holding the API secret (instead of MM_API_SECRET).' },
  {
    key: 'restUrl',
    default: null,
    description: 'REST base URL override (with sim: an external simulator). Default per exchange. Credentials in it are masked in every log.',
  },
  { key: 'wsUrl', default: null, description: 'WebSocket base URL override (with sim: an external simulator). Default per exchange.' },
  {
    key: 'orderTransport',
    default: 'ws',
    description: 'How orders, cancels and order queries travel: ws (the WebSocket API, with REST taking over while it is down) or rest (REST only).',
  },
  {
    key: 'wsApiUrl',
    default: null,
    description: 'WebSocket API URL override. Default per exchange (an external simulator: MM_WS_URL followed by /ws-fapi/v1).',
  },
  { key: 'shadow', kind: 'boolean', default: 'false', description: 'Shadow mode: decide and log quotes but send no orders.' },
  { key: 'iterations', default: null, description: 'Stop after this many decision cycles (unset: run until stopped).', range: ints(1, 1_000_000_000) },
  { key: 'eventLog', default: 'logs/runner_events.log', description: 'Path of the JSON Lines event log.' },
  { key: 'eventLogMaxBytes', default: String(50 * MIB), description: 'Size in bytes at which the event log is rotated.', range: ints(1024, 1024 * MIB) },
  { key: 'eventLogKeep', default: '5', description: 'Number of rotated event log files kept.', range: ints(1, 1000) },
  { key: 'snapshotIntervalS', default: '60', description: 'Seconds between runner_snapshot events.', range: ints(1, 86_400) },
  {
    key: 'freezeUtcIso',
    default: null,
    description:
      'ISO-8601 instant written as the time of every event-log line (ts) and stdout line (ts_utc), for deterministic logs. Request signing, client order ids, timers, OTLP and the venue keep the real clock.',
  },
  { key: 'obs', kind: 'boolean', default: 'true', description: 'Serve /metrics, /health and /ready.' },
  {
    key: 'obsHost',
    default: '127.0.0.1',
    description:
      'Host the observability server binds: a host name or an IP literal. 127.0.0.1 serves this machine only; 0.0.0.0 (every interface) is needed in a container, where Prometheus scrapes from another one.',
  },
  { key: 'obsPort', default: '9199', description: 'Port of the observability server (0: any free port).', range: ints(0, 65_535) },
  { key: 'logLevel', default: 'info', description: 'Stdout log level: debug, info, warn or error.' },
  { key: 'environment', default: 'dev', description: 'deployment.environment.name reported with all telemetry.' },
  { key: 'leverage', default: '5', description: 'Leverage set on each symbol at start (Binance maximum: 125).', range: ints(1, 125) },
  { key: 'marginType', default: 'CROSSED', description: 'Margin type set on each symbol at start: CROSSED or ISOLATED.' },
  { key: 'clientIdPrefix', default: 'mm', description: 'Prefix of every newClientOrderId (1-8 characters of A-Z, a-z, 0-9).' },
  {
    key: 'recvWindowMs',
    default: '5000',
    description: 'recvWindow of signed requests, ms (Binance accepts at most 60000; below 100 ms requests fail on ordinary network delay).',
    range: ints(100, 60_000),
  },
  { key: 'requestTimeoutMs', default: '5000', description: 'Timeout of one REST request, ms.', range: ints(100, 60_000) },
  {
    key: 'deadmanMs',
    default: '30000',
    description: 'countdownCancelAll dead-man countdown, ms (0 disables; otherwise at least MM_REQUEST_TIMEOUT_MS).',
    range: ints(0, 3_600_000),
  },
  { key: 'shutdownTimeoutMs', default: '10000', description: 'Time allowed for a graceful stop (cancel all, flush), ms.', range: ints(1000, 600_000) },
  { key: 'telemetryFlushTimeoutMs', default: '3000', description: 'Time allowed for telemetry to flush at stop, ms.', range: ints(100, 60_000) },
  { key: 'simSeed', default: '42', description: 'Random seed of the simulator (32 bits).', range: ints(0, 4_294_967_295) },
  { key: 'simFundingIntervalS', default: '60', description: 'Funding interval of the simulator, seconds.', range: ints(1, 86_400) },
  {
    key: 'simStartPosition',
    default: '0',
    description:
      'Position the simulated account already holds in the first symbol at start (signed, base asset), as if inherited from an earlier session: 0 starts flat; e.g. -0.040 shows reconciliation, hard reduce, forced reduce-only clips and grinding in the first seconds.',
    range: decimals('-1000000', '1000000'),
  },
  {
    key: 'simHost',
    default: '127.0.0.1',
    description:
      'Host the standalone simulator binds: a host name or an IP literal; 0.0.0.0 (every interface) when the runner reaches it from another container.',
  },
  { key: 'simPort', default: '8765', description: 'Port of the standalone simulator (sim command).', range: ints(0, 65_535) },
  {
    key: 'simApiKey',
    kind: 'secret',
    default: null,
    description: "API key the simulator accepts, and the one the runner uses on it (environment only; default: Binance's documented example key).",
  },
  {
    key: 'simApiSecret',
    kind: 'secret',
    default: null,
    description: "API secret the simulator checks signatures with (environment only; default: Binance's documented example secret; set with MM_SIM_API_KEY).",
  },
  {
    key: 'halfSpreadBps',
    default: '2',
    description: `Distance of the first bid/ask from mid, bps. The outermost level (half spread + (levels - 1) x level spacing) must stay within ${MAX_LADDER_REACH_BPS} bps of mid, and within 90% of the symbol's PERCENT_PRICE band (checked at start).`,
    range: numbers(0, MAX_LADDER_REACH_BPS, true),
  },
  {
    key: 'orderQty',
    default: '0.005',
    description: "Quantity of each quote level (decimal string); on the symbol's lot step and at most its LOT_SIZE maxQty (checked at start).",
    range: decimals('0', MAX_QTY, true),
  },
  { key: 'levels', default: '1', description: 'Quote levels per side.', range: ints(1, 10) },
  { key: 'levelSpacingBps', default: '2', description: 'Extra distance between consecutive levels, bps.', range: numbers(0, MAX_LADDER_REACH_BPS) },
  { key: 'inventorySkewBps', default: '3', description: 'Quote shift toward flat at a position equal to the soft limit, bps.', range: numbers(0, 1000) },
  {
    key: 'fundingSkewFactor',
    default: '0',
    description: 'Quote shift per bps of predicted funding rate (0 disables).',
    range: numbers(-10, 10),
  },
  {
    key: 'requoteToleranceTicks',
    default: '50',
    description: 'A resting quote within this many ticks of its target is left alone.',
    range: ints(0, 100_000),
  },
  {
    key: 'softPositionNotional',
    default: '1000',
    description: 'Soft limit on the absolute position notional (risk state 1: soft reduce).',
    range: decimals('0', MAX_NOTIONAL, true),
  },
  {
    key: 'hardPositionNotional',
    default: '2000',
    description: 'Hard limit on the absolute position notional (risk state 2: hard reduce); above the soft limit.',
    range: decimals('0', MAX_NOTIONAL, true),
  },
  {
    key: 'maxWorstCaseNotional',
    default: '3000',
    description: 'Limit on worst-case notional per side (position + all resting orders filled); at least the hard limit.',
    range: decimals('0', MAX_NOTIONAL, true),
  },
  { key: 'softReduceSizeFactor', default: '0.5', description: 'Size multiplier of the reducing quote in soft reduce.', range: numbers(0, 1, true) },
  {
    key: 'reduceOnlyClipQty',
    default: '0.005',
    description: "Quantity of each reduce-only order forced in hard reduce; on the symbol's lot step and at most its LOT_SIZE maxQty (checked at start).",
    range: decimals('0', MAX_QTY, true),
  },
  { key: 'minEdgeBps', default: '-5', description: 'Freeze quoting when the rolling edge net of fees falls below this, bps.', range: numbers(-10_000, 10_000) },
  { key: 'edgeWindowFills', default: '20', description: 'Number of recent fills the rolling edge is computed over.', range: ints(1, 10_000) },
  { key: 'freezeCooldownMs', default: '30000', description: 'How long an edge freeze lasts, ms.', range: ints(0, 86_400_000) },
  { key: 'makerFeeRate', default: '0.0002', description: 'Maker fee rate (decimal string).', range: decimals('0', '0.01') },
  { key: 'takerFeeRate', default: '0.0005', description: 'Taker fee rate (decimal string).', range: decimals('0', '0.01') },
  {
    key: 'staleBookMs',
    default: '5000',
    description: 'No book update received for this long suppresses quoting, ms (our clock: an offset to the venue does not matter).',
    range: ints(100, 60_000),
  },
  { key: 'grindEnabled', kind: 'boolean', default: 'true', description: 'Grinding: reducing clips priced to lower the break-even.' },
  {
    key: 'grindClipQty',
    default: '0.002',
    description:
      "Quantity of each grinding clip (above 0 while grinding is enabled); on the symbol's lot step and at most its LOT_SIZE maxQty (checked at start).",
    range: decimals('0', MAX_QTY),
  },
  {
    key: 'grindMinProfitBps',
    default: '3',
    description: 'Minimum profit over break-even at which a grinding clip is priced, bps.',
    range: numbers(0, 1000),
  },
] as const satisfies readonly FieldSpec[];

/** A key of the raw configuration record. */
export type FieldKey = (typeof SPECS)[number]['key'];

function words(key: string): string[] {
  return key.split(/(?=[A-Z])/).map((word) => word.toLowerCase());
}

/** Every configuration field, in the order `--help` lists them. */
export const configFields: readonly ConfigField[] = SPECS.map((spec: FieldSpec) => {
  const fieldRange = spec.range === undefined ? null : { ...spec.range, text: rangeText(spec.range) };
  return {
    key: spec.key,
    env: `MM_${words(spec.key).join('_').toUpperCase()}`,
    flag: words(spec.key).join('-'),
    kind: spec.kind ?? 'value',
    default: spec.default,
    description: fieldRange === null ? spec.description : `${spec.description} ${fieldRange.text}`,
    range: fieldRange,
  };
});

function rangeText(r: Omit<FieldRange, 'text'>): string {
  return r.minExclusive ? `Range: above ${r.min}, up to ${r.max}.` : `Range: ${r.min} to ${r.max}.`;
}

const byKey = new Map(configFields.map((field) => [field.key, field]));
const byFlag = new Map(configFields.map((field) => [field.flag, field]));
const byEnv = new Map(configFields.map((field) => [field.env, field]));

/** Returns the field with this raw-record key, or undefined. */
export function fieldByKey(key: string): ConfigField | undefined {
  return byKey.get(key);
}

/** Returns the field with this flag name (no dashes), or undefined. */
export function fieldByFlag(flag: string): ConfigField | undefined {
  return byFlag.get(flag);
}

/** Returns the range of a numeric field; throws when the field has none (a mistake in this table). */
export function fieldRange(key: FieldKey): FieldRange {
  const found = byKey.get(key)?.range;
  if (found === undefined || found === null) throw new Error(`configuration field ${key} has no range`);
  return found;
}

/** Returns the field read from this environment variable, or undefined. */
export function fieldByEnv(env: string): ConfigField | undefined {
  return byEnv.get(env);
}

/** Returns how a field is named in error messages: "MM_SYMBOLS (--symbols)". */
export function fieldLabel(field: ConfigField): string {
  return field.kind === 'secret' ? field.env : `${field.env} (--${field.flag})`;
}
