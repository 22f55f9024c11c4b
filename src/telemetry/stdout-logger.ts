/**
 * Human-facing structured logs on stdout: one compact JSON object per line with `ts_utc`,
 * `lvl`, `name` (the component), `event` and the fields, keys sorted, secrets masked. Lines are
 * buffered and written in batches; `flush()` writes what is buffered.
 */
import type { Clock, Timer } from '../core/clock.ts';
import { eventSeverity, type DomainEvent, type EventListener, type EventSeverity, type FieldRecord } from '../core/events.ts';
import type { AfterWire } from './after-wire.ts';
import { jsonString, SortedLineSerializer, type TimestampSource } from './json-line.ts';
import { eventComponent } from './log-components.ts';
import { createTextMasker } from './masking.ts';

/** A record's level; `lvl` on stdout is its upper case (specification 002: DEBUG, INFO, WARN, ERROR, CRITICAL). */
export type LogLevel = EventSeverity;

const LEVEL_RANK: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40, critical: 50 };
const LEVEL_JSON: Readonly<Record<LogLevel, string>> = { debug: '"DEBUG"', info: '"INFO"', warn: '"WARN"', error: '"ERROR"', critical: '"CRITICAL"' };
const NO_FIELDS: FieldRecord = {};

/** Where lines go: process.stdout or anything with a compatible `write`. */
export interface LineSink {
  write(chunk: string): unknown;
}

export interface StdoutLoggerOptions {
  /** Returns `ts_utc` (UtcNanosFormatter.now, which honours MM_FREEZE_UTC_ISO). */
  readonly timestamp: TimestampSource;
  /** Times the flushes. */
  readonly clock: Clock;
  /** Records below this level are discarded (default info). */
  readonly level?: LogLevel;
  /** Defaults to process.stdout. */
  readonly out?: LineSink;
  /** Secret values to mask wherever they appear in string fields. */
  readonly knownSecrets?: readonly string[];
  /** Buffered size that triggers an immediate write (default 16 KiB). */
  readonly flushBytes?: number;
  /** Longest time a line waits in the buffer, ms (default 50). */
  readonly flushIntervalMs?: number;
  /** Where event lines are deferred to (default: none, they are serialized in the listener). */
  readonly afterWire?: AfterWire;
}

/** A logger bound to one component name. */
export interface ComponentLogger {
  debug(event: string, fields?: FieldRecord): void;
  info(event: string, fields?: FieldRecord): void;
  warn(event: string, fields?: FieldRecord): void;
  error(event: string, fields?: FieldRecord): void;
  critical(event: string, fields?: FieldRecord): void;
}

export class StdoutLogger {
  private readonly timestamp: TimestampSource;
  private readonly minRank: number;
  private readonly out: LineSink;
  private readonly flushBytes: number;
  private readonly flushIntervalMs: number;
  private readonly serializer: SortedLineSerializer;
  private buffer = '';
  private timer: Timer | null = null;
  private readonly clock: Clock;
  private writeFailures = 0;
  private readonly afterWire: AfterWire | null;

  constructor(options: StdoutLoggerOptions) {
    this.timestamp = options.timestamp;
    this.clock = options.clock;
    this.minRank = LEVEL_RANK[options.level ?? 'info'];
    this.out = options.out ?? process.stdout;
    this.flushBytes = options.flushBytes ?? 16 * 1024;
    this.flushIntervalMs = options.flushIntervalMs ?? 50;
    this.serializer = new SortedLineSerializer(['event', 'lvl', 'name', 'ts_utc'], createTextMasker(options.knownSecrets ?? []));
    this.afterWire = options.afterWire ?? null;
  }

  /** Returns true when records at `level` are written. */
  enabled(level: LogLevel): boolean {
    return LEVEL_RANK[level] >= this.minRank;
  }

  /** Logs one record for component `name`. */
  log(level: LogLevel, name: string, event: string, fields: FieldRecord = NO_FIELDS): void {
    this.append(level, name, event, fields);
  }

  private append(level: LogLevel, name: string, event: string, fields: object, ts: string = this.timestamp()): void {
    if (LEVEL_RANK[level] < this.minRank) return;
    let line: string;
    try {
      line = this.serializer.line(`${name}\u0000${event}`, [jsonString(event), LEVEL_JSON[level], jsonString(name), jsonString(ts)], fields);
    } catch {
      this.writeFailures += 1;
      return;
    }
    this.buffer += line;
    if (this.buffer.length >= this.flushBytes) this.flush();
    else this.schedule();
  }

  /** Returns a logger for one component. */
  component(name: string): ComponentLogger {
    return {
      debug: (event, fields) => this.log('debug', name, event, fields),
      info: (event, fields) => this.log('info', name, event, fields),
      warn: (event, fields) => this.log('warn', name, event, fields),
      error: (event, fields) => this.log('error', name, event, fields),
      critical: (event, fields) => this.log('critical', name, event, fields),
    };
  }

  /**
   * Returns a listener that logs each domain event at its `eventSeverity`, under the component
   * that raised it (`eventComponent`: mm.execution, mm.risk, ...): stamped when the event
   * happens, serialized after the orders being sent are on the wire.
   */
  eventListener(): EventListener {
    return (event: DomainEvent) => {
      const level = eventSeverity(event);
      const name = eventComponent(event.event);
      if (LEVEL_RANK[level] < this.minRank) return;
      const ts = this.timestamp();
      if (this.afterWire === null) this.append(level, name, event.event, event.fields, ts);
      else this.afterWire.run(() => this.append(level, name, event.event, event.fields, ts));
    };
  }

  /** Writes the buffered lines now. Never throws. */
  flush(): void {
    this.afterWire?.drain();
    if (this.timer !== null) {
      this.timer.cancel();
      this.timer = null;
    }
    if (this.buffer === '') return;
    const chunk = this.buffer;
    this.buffer = '';
    try {
      this.out.write(chunk);
    } catch {
      this.writeFailures += 1;
    }
  }

  /** Returns how many records or writes failed (serialization or the sink throwing). */
  failures(): number {
    return this.writeFailures;
  }

  private schedule(): void {
    if (this.timer !== null) return;
    this.timer = this.clock.setTimer(() => this.flush(), this.flushIntervalMs, { background: true });
  }
}
