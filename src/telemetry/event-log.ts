/**
 * The event log: domain events as JSON Lines ({"event":..,"ts":..,...fields}, keys sorted,
 * secrets masked), in the order they happened. An order's intent (`order_submit`,
 * `order_cancel`) is written ahead: its line, with every line before it, reaches the file in a
 * synchronous write before the order's request is sent, so a kill -9 cannot lose it. That write
 * happens after the request is signed and dispatched, not in the listener: in the check phase,
 * ahead of undici's own write (undici writes a request on a reused socket from a setImmediate
 * queued after ours), and in any case right before undici writes a request's first byte
 * (`undici:client:sendHeaders`, which undici publishes synchronously right before it writes a
 * request's first byte: its documented contract), or the WebSocket API client writes a request
 * frame (WS_API_BEFORE_SEND_CHANNEL). Other lines are serialized after the wire and written in batches. Disk
 * failures never escape: lines are kept in a bounded buffer, the failure is counted and
 * reported, and writing resumes when the disk recovers. The file itself (rotation, torn lines,
 * a file deleted or replaced under it) is event-log-file.ts.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import * as nodeFs from 'node:fs';
import type { Clock, Timer } from '../core/clock.ts';
import type { DomainEvent, EventListener, EventName } from '../core/events.ts';
import { WS_API_BEFORE_SEND_CHANNEL } from '../exchange/ws-api-connection.ts';
import { AfterWire } from './after-wire.ts';
import { EventLogFile, EventLogWriteError, type EventLogFault, type EventLogFs, type EventLogNotice } from './event-log-file.ts';
import { jsonString, SortedLineSerializer, type TimestampSource } from './json-line.ts';
import { createTextMasker } from './masking.ts';

export { EVENT_LOG_FAULTS, EventLogWriteError, type EventLogFault, type EventLogFs, type EventLogNotice, type EventLogOperation } from './event-log-file.ts';

/** Events written ahead: an order's intent is on disk before its request is sent. */
export const WRITE_AHEAD_EVENTS: ReadonlySet<EventName> = new Set<EventName>(['order_submit', 'order_cancel']);

export interface EventLogOptions {
  /** File path; parent directories are created. */
  readonly path: string;
  /** Returns the `ts` of a line (UTC, nanosecond precision: UtcNanosFormatter.now). */
  readonly timestamp: TimestampSource;
  /** Times the flushes and spaces the retries of rotation (monotonic time). */
  readonly clock: Clock;
  /** Size at which the file is rotated (default 50 MiB). */
  readonly maxBytes?: number;
  /** Size the file may reach while rotation fails before the log counts as unwritable (default 2 x maxBytes). */
  readonly hardMaxBytes?: number;
  /** Rotated files kept: path.1 (newest) .. path.N (default 5; 0 deletes instead). */
  readonly keep?: number;
  /** Buffered size (UTF-16 units) that triggers an immediate flush (default 64 KiB). */
  readonly flushBytes?: number;
  /** Longest time a line waits in the buffer, ms (default 100). */
  readonly flushIntervalMs?: number;
  /** Retry interval while the disk or a rotation is failing, ms (default 1000). */
  readonly retryIntervalMs?: number;
  /** Cap on lines held while the disk is failing (UTF-16 units, default 16 MiB); the oldest are dropped beyond it. */
  readonly maxPendingBytes?: number;
  /** Secret values to mask wherever they appear in string fields (API key, secret). */
  readonly knownSecrets?: readonly string[];
  /** Events written ahead (default WRITE_AHEAD_EVENTS). */
  readonly writeAhead?: ReadonlySet<string>;
  /** The deferral shared with the other listeners (default: one of its own). */
  readonly afterWire?: AfterWire;
  /** Registers the hook that runs right before any request is written; returns its removal (default: undici's sendHeaders channel). */
  readonly beforeRequestWrite?: (hook: () => void) => () => void;
  /** Called when the log stops being writable (once per episode); the runner picks the policy. */
  readonly onWriteError?: (error: EventLogWriteError) => void;
  /** Called when writing succeeds again after a failure. */
  readonly onRecovered?: () => void;
  /** Called for each fault detected and dealt with (rotation failing or recovered, file reopened, torn line). */
  readonly onNotice?: (notice: EventLogNotice) => void;
  readonly fs?: EventLogFs;
}

/** Counters of the event log, for metrics and tests. */
export interface EventLogStats {
  readonly linesWritten: number;
  readonly bytesWritten: number;
  readonly writeErrors: number;
  readonly rotations: number;
  readonly linesDropped: number;
  readonly linesPending: number;
  readonly faults: Readonly<Record<EventLogFault, number>>;
}

const MIB = 1024 * 1024;
/** Published right before a request is written: by undici (REST), by the WebSocket API client. */
const BEFORE_REQUEST_WRITE = ['undici:client:sendHeaders', WS_API_BEFORE_SEND_CHANNEL] as const;

/** Calls `hook` right before any request is written, over REST or the WebSocket API; returns a function that stops it. */
function beforeRequestWrite(hook: () => void): () => void {
  const listener = (): void => {
    try {
      hook();
    } catch {
      // A subscriber's throw would surface as an uncaught exception: the hook guards its own failures.
    }
  };
  for (const name of BEFORE_REQUEST_WRITE) subscribe(name, listener);
  return () => {
    for (const name of BEFORE_REQUEST_WRITE) unsubscribe(name, listener);
  };
}

export class EventLog {
  /**
   * Subscribe this to the EventBus. It takes the timestamp when the event happens and leaves the
   * rest for later: a write-ahead event's line is written before any request goes out (see the
   * module doc), the others are serialized after the wire (through the AfterWire).
   */
  readonly listener: EventListener = (event) => {
    this.queued.push(event);
    this.queuedTs.push(this.timestamp());
    if (this.writeAhead.has(event.event) && this.intentsWaiting === null) {
      this.intentsWaiting = setImmediate(this.writeIntents);
    }
    if (!this.serializeScheduled) {
      this.serializeScheduled = true;
      this.afterWire.run(this.serializeLater);
    }
  };

  private readonly timestamp: TimestampSource;
  private readonly path: string;
  private readonly clock: Clock;
  private readonly flushBytes: number;
  private readonly flushIntervalMs: number;
  private readonly retryIntervalMs: number;
  private readonly maxPendingBytes: number;
  private readonly writeAhead: ReadonlySet<string>;
  private readonly onWriteError: (error: EventLogWriteError) => void;
  private readonly onRecovered: () => void;
  private readonly serializer: SortedLineSerializer;
  private readonly eventNameJson = new Map<string, string>();
  private readonly file: EventLogFile;
  private readonly stopHook: () => void;
  private readonly afterWire: AfterWire;
  private readonly ownsAfterWire: boolean;

  /** Events awaiting serialization (after the wire), with their timestamps. */
  private queued: DomainEvent[] = [];
  private queuedTs: string[] = [];
  private serializeScheduled = false;
  /** Set while an intent line waits for its write: the check-phase write that will carry it. */
  private intentsWaiting: NodeJS.Immediate | null = null;
  /** Serialized lines awaiting their write. */
  private pending: string[] = [];
  private pendingChars = 0;
  private timer: Timer | null = null;
  private failing = false;
  private error: EventLogWriteError | null = null;
  private linesWritten = 0;
  private writeErrors = 0;
  private writeFailures = 0;
  private linesDropped = 0;

  constructor(options: EventLogOptions) {
    this.path = options.path;
    this.clock = options.clock;
    this.timestamp = options.timestamp;
    this.flushBytes = options.flushBytes ?? 64 * 1024;
    this.flushIntervalMs = options.flushIntervalMs ?? 100;
    this.retryIntervalMs = options.retryIntervalMs ?? 1000;
    this.maxPendingBytes = options.maxPendingBytes ?? 16 * MIB;
    this.writeAhead = options.writeAhead ?? WRITE_AHEAD_EVENTS;
    this.onWriteError = options.onWriteError ?? (() => {});
    this.onRecovered = options.onRecovered ?? (() => {});
    const onNotice = options.onNotice ?? (() => {});
    const maxBytes = options.maxBytes ?? 50 * MIB;
    this.file = new EventLogFile({
      path: options.path,
      fs: options.fs ?? nodeFs,
      maxBytes,
      hardMaxBytes: options.hardMaxBytes ?? 2 * maxBytes,
      keep: options.keep ?? 5,
      retryIntervalMs: this.retryIntervalMs,
      now: () => Number(options.clock.monoNs()) / 1e6,
      onNotice: (notice) => this.safely(() => onNotice(notice)),
      onRotationError: (error) => this.recordError(error, false),
    });
    this.serializer = new SortedLineSerializer(['event', 'ts'], createTextMasker(options.knownSecrets ?? []));
    this.ownsAfterWire = options.afterWire === undefined;
    this.afterWire = options.afterWire ?? new AfterWire(options.clock);
    this.stopHook = (options.beforeRequestWrite ?? beforeRequestWrite)(this.writeIntents);
  }

  /** Queues one event as a line, stamped now (a write-ahead event is written at once). Never throws. */
  write(event: DomainEvent): void {
    const ts = this.timestamp();
    this.serializeQueued();
    this.append(event, ts);
    if (this.writeAhead.has(event.event)) this.writeThrough();
    else this.afterAppend();
  }

  /** Writes every buffered line now, synchronously (safe in a signal or exit handler). Never throws. */
  flush(): void {
    this.afterWire.drain();
    this.clearIntents();
    this.serializeQueued();
    if (this.timer !== null) {
      this.timer.cancel();
      this.timer = null;
    }
    if (this.pending.length === 0 && !this.file.hasUnverified()) return;
    this.writeOut(true);
  }

  /** Flushes, releases the file and stops watching for requests. Later writes reopen the file. */
  close(): void {
    this.stopHook();
    this.flush();
    if (this.ownsAfterWire) this.afterWire.close();
    this.file.close();
  }

  /** Returns false while lines cannot be written. */
  healthy(): boolean {
    return !this.failing;
  }

  /** The most recent failure, or null. */
  get lastError(): EventLogWriteError | null {
    return this.error;
  }

  /** Returns the counters. */
  stats(): EventLogStats {
    return {
      linesWritten: this.linesWritten,
      bytesWritten: this.file.bytesWritten,
      writeErrors: this.writeErrors,
      rotations: this.file.rotations,
      linesDropped: this.linesDropped,
      linesPending: this.pending.length + this.queued.length,
      faults: { write_failed: this.writeFailures, ...this.file.faults },
    };
  }

  private readonly serializeLater = (): void => {
    this.serializeScheduled = false;
    if (this.intentsWaiting !== null) this.writeIntents();
    if (this.queued.length === 0) return;
    this.serializeQueued();
    this.afterAppend();
  };

  /** Writes the waiting intent lines, with every line before them, to the file now (if any wait). */
  private readonly writeIntents = (): void => {
    if (this.intentsWaiting === null) return;
    this.clearIntents();
    this.serializeQueued();
    this.writeThrough();
  };

  private clearIntents(): void {
    if (this.intentsWaiting === null) return;
    clearImmediate(this.intentsWaiting);
    this.intentsWaiting = null;
  }

  /** Writes the pending lines, a write-ahead line among them, to the file now. */
  private writeThrough(): void {
    if (this.failing) {
      this.dropOverflow();
      this.schedule(this.retryIntervalMs);
      return;
    }
    // No identity check here (it is two more system calls before the wire): the next flush checks.
    if (this.writeOut(false)) this.schedule(this.flushIntervalMs);
  }

  private serializeQueued(): void {
    if (this.queued.length === 0) return;
    const events = this.queued;
    const stamps = this.queuedTs;
    this.queued = [];
    this.queuedTs = [];
    for (let i = 0; i < events.length; i++) this.append(events[i] as DomainEvent, stamps[i] as string);
  }

  private append(event: DomainEvent, ts: string): void {
    let line: string;
    try {
      line = this.serializer.line(event.event, [this.nameJson(event.event), jsonString(ts)], event.fields);
    } catch (cause) {
      this.linesDropped += 1;
      this.recordError(new EventLogWriteError('serialize', this.path, cause), false);
      return;
    }
    this.pending.push(line);
    this.pendingChars += line.length;
  }

  private afterAppend(): void {
    if (this.failing) this.dropOverflow();
    if (!this.failing && this.pendingChars >= this.flushBytes) this.flush();
    else if (this.pending.length > 0) this.schedule(this.failing ? this.retryIntervalMs : this.flushIntervalMs);
  }

  /**
   * Writes the pending lines (checking first and after that the file is still the one at the
   * path when `verify`). Returns true when every line was written; otherwise the failure is
   * recorded and a retry scheduled.
   */
  private writeOut(verify: boolean): boolean {
    let failure: EventLogWriteError | null;
    try {
      if (verify) this.file.verify();
      const { written, failure: appendFailure } = this.file.append(this.pending, this.pendingChars);
      failure = appendFailure;
      this.linesWritten += written;
      if (written === this.pending.length) {
        this.pending = [];
        this.pendingChars = 0;
      } else {
        this.pending.splice(0, written);
        this.recount();
      }
      if (verify && failure === null) this.file.verify();
    } catch (cause) {
      failure = cause instanceof EventLogWriteError ? cause : new EventLogWriteError('write', this.path, cause);
    }
    if (failure !== null) {
      this.writeFailures += 1;
      this.recordError(failure, true);
      this.file.close();
      this.schedule(this.retryIntervalMs);
      return false;
    }
    if (this.failing) {
      this.failing = false;
      this.safely(() => this.onRecovered());
    }
    return true;
  }

  private recordError(error: EventLogWriteError, linesAtRisk: boolean): void {
    this.writeErrors += 1;
    this.error = error;
    if (linesAtRisk && !this.failing) {
      this.failing = true;
      this.safely(() => this.onWriteError(error));
    }
    if (linesAtRisk) this.dropOverflow();
  }

  private dropOverflow(): void {
    if (this.pendingChars <= this.maxPendingBytes) return;
    let drop = 0;
    let chars = this.pendingChars;
    while (chars > this.maxPendingBytes && drop < this.pending.length) {
      chars -= (this.pending[drop] as string).length;
      drop += 1;
    }
    this.pending.splice(0, drop);
    this.pendingChars = chars;
    this.linesDropped += drop;
  }

  private recount(): void {
    let chars = 0;
    for (const line of this.pending) chars += line.length;
    this.pendingChars = chars;
  }

  private schedule(delayMs: number): void {
    if (this.timer !== null) return;
    this.timer = this.clock.setTimer(
      () => {
        this.timer = null;
        this.flush();
      },
      delayMs,
      { background: true },
    );
  }

  private nameJson(name: string): string {
    let json = this.eventNameJson.get(name);
    if (json === undefined) {
      json = jsonString(name);
      this.eventNameJson.set(name, json);
    }
    return json;
  }

  private safely(action: () => void): void {
    try {
      action();
    } catch {
      // A failing callback must not take the event log down with it.
    }
  }
}
