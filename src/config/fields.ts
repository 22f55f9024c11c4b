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
  readonly description: string;
}

interface FieldSpec {
  readonly key: string;
  readonly kind?: FieldKind;
  readonly default: string | null;
  readonly description: string;
}

const MIB = 1024 * 1024;

const SPECS = [
  { key: 'exchange', default: 'sim', description: 'Venue: sim (in-process simulator), binance-testnet or binance.' },
  { key: 'symbols', default: 'BTCUSDT', description: 'Comma-separated symbols to quote, e.g. BTCUSDT,ETHUSDT.' },
  { key: 'apiKey', kind: 'secret', default: null, description: 'API key (environment only; required for binance and binance-testnet).' },
  { key: 'apiSecret', kind: 'secret', default: null, description: 'API secret (environment only; required for binance and binance-testnet).' },
  { key: 'apiKeyFile', default: null, description: 'File holding the API key (instead of MM_API_KEY).' },
  { key: 'apiSecretFile', default: null, description: 'File holding the API secret (instead of MM_API_SECRET).' },
  { key: 'restUrl', default: null, description: 'REST base URL override (with sim: an external simulator). Default per exchange.' },
  { key: 'wsUrl', default: null, description: 'WebSocket base URL override (with sim: an external simulator). Default per exchange.' },
  { key: 'shadow', kind: 'boolean', default: 'false', description: 'Shadow mode: decide and log quotes but send no orders.' },
  { key: 'iterations', default: null, description: 'Stop after this many decision cycles (unset: run until stopped).' },
  { key: 'eventLog', default: 'logs/runner_events.log', description: 'Path of the JSON Lines event log.' },
  { key: 'eventLogMaxBytes', default: String(50 * MIB), description: 'Size in bytes at which the event log is rotated.' },
  { key: 'eventLogKeep', default: '5', description: 'Number of rotated event log files kept.' },
  { key: 'snapshotIntervalS', default: '60', description: 'Seconds between runner_snapshot events.' },
  { key: 'freezeUtcIso', default: null, description: 'ISO-8601 instant that freezes the wall clock used for timestamps (deterministic logs).' },
  { key: 'obs', kind: 'boolean', default: 'true', description: 'Serve /metrics, /health and /ready.' },
  { key: 'obsHost', default: '127.0.0.1', description: 'Host the observability server binds (0.0.0.0 in a container).' },
  { key: 'obsPort', default: '9199', description: 'Port of the observability server (0: any free port).' },
  { key: 'logLevel', default: 'info', description: 'Stdout log level: debug, info, warn or error.' },
  { key: 'environment', default: 'dev', description: 'deployment.environment.name reported with all telemetry.' },
  { key: 'leverage', default: '5', description: 'Leverage set on each symbol at start (1-125).' },
  { key: 'marginType', default: 'CROSSED', description: 'Margin type set on each symbol at start: CROSSED or ISOLATED.' },
  { key: 'clientIdPrefix', default: 'mm', description: 'Prefix of every newClientOrderId (1-8 characters of A-Z, a-z, 0-9).' },
  { key: 'recvWindowMs', default: '5000', description: 'recvWindow of signed requests, ms (1-60000).' },
  { key: 'requestTimeoutMs', default: '5000', description: 'Timeout of one REST request, ms.' },
  { key: 'deadmanMs', default: '30000', description: 'countdownCancelAll dead-man countdown, ms (0 disables).' },
  { key: 'shutdownTimeoutMs', default: '10000', description: 'Time allowed for a graceful stop (cancel all, flush), ms.' },
  { key: 'telemetryFlushTimeoutMs', default: '3000', description: 'Time allowed for telemetry to flush at stop, ms.' },
  { key: 'simSeed', default: '42', description: 'Random seed of the simulator.' },
  { key: 'simFundingIntervalS', default: '60', description: 'Funding interval of the simulator, seconds.' },
  {
    key: 'simStartPosition',
    default: '-0.040',
    description:
      'Position the simulated account already holds in the first symbol at start (signed, base asset), as if inherited from an earlier session; 0 for a flat start.',
  },
  { key: 'simHost', default: '127.0.0.1', description: 'Host the standalone simulator binds.' },
  { key: 'simPort', default: '8765', description: 'Port of the standalone simulator (sim command).' },
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
  { key: 'halfSpreadBps', default: '2', description: 'Distance of the first bid/ask from mid, bps.' },
  { key: 'orderQty', default: '0.005', description: 'Quantity of each quote level (decimal string).' },
  { key: 'levels', default: '1', description: 'Quote levels per side (1-10).' },
  { key: 'levelSpacingBps', default: '2', description: 'Extra distance between consecutive levels, bps.' },
  { key: 'inventorySkewBps', default: '3', description: 'Quote shift toward flat at a position equal to the soft limit, bps.' },
  { key: 'fundingSkewFactor', default: '0', description: 'Quote shift per bps of predicted funding rate (0 disables).' },
  { key: 'requoteToleranceTicks', default: '50', description: 'A resting quote within this many ticks of its target is left alone.' },
  { key: 'softPositionNotional', default: '1000', description: 'Soft limit on |position notional| (risk state 1: soft reduce).' },
  { key: 'hardPositionNotional', default: '2000', description: 'Hard limit on |position notional| (risk state 2: hard reduce).' },
  { key: 'maxWorstCaseNotional', default: '3000', description: 'Limit on worst-case notional per side (position + all resting orders filled).' },
  { key: 'softReduceSizeFactor', default: '0.5', description: 'Size multiplier of the reducing quote in soft reduce, (0, 1].' },
  { key: 'reduceOnlyClipQty', default: '0.005', description: 'Quantity of each reduce-only order forced in hard reduce.' },
  { key: 'minEdgeBps', default: '-5', description: 'Freeze quoting when the rolling edge net of fees falls below this, bps.' },
  { key: 'edgeWindowFills', default: '20', description: 'Number of recent fills the rolling edge is computed over.' },
  { key: 'freezeCooldownMs', default: '30000', description: 'How long an edge freeze lasts, ms.' },
  { key: 'makerFeeRate', default: '0.0002', description: 'Maker fee rate (decimal string).' },
  { key: 'takerFeeRate', default: '0.0005', description: 'Taker fee rate (decimal string).' },
  {
    key: 'staleBookMs',
    default: '5000',
    description: 'No book update received for this long suppresses quoting, ms (our clock: an offset to the venue does not matter).',
  },
  { key: 'grindEnabled', kind: 'boolean', default: 'true', description: 'Grinding: reducing clips priced to lower the break-even.' },
  { key: 'grindClipQty', default: '0.002', description: 'Quantity of each grinding clip.' },
  { key: 'grindMinProfitBps', default: '3', description: 'Minimum profit over break-even at which a grinding clip is priced, bps.' },
] as const satisfies readonly FieldSpec[];

/** A key of the raw configuration record. */
export type FieldKey = (typeof SPECS)[number]['key'];

function words(key: string): string[] {
  return key.split(/(?=[A-Z])/).map((word) => word.toLowerCase());
}

/** Every configuration field, in the order `--help` lists them. */
export const configFields: readonly ConfigField[] = SPECS.map((spec: FieldSpec) => ({
  key: spec.key,
  env: `MM_${words(spec.key).join('_').toUpperCase()}`,
  flag: words(spec.key).join('-'),
  kind: spec.kind ?? 'value',
  default: spec.default,
  description: spec.description,
}));

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

/** Returns the field read from this environment variable, or undefined. */
export function fieldByEnv(env: string): ConfigField | undefined {
  return byEnv.get(env);
}

/** Returns how a field is named in error messages: "MM_SYMBOLS (--symbols)". */
export function fieldLabel(field: ConfigField): string {
  return field.kind === 'secret' ? field.env : `${field.env} (--${field.flag})`;
}
