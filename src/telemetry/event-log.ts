/**
 * The event log: domain events as JSON Lines ({"event":..,"ts":..,...fields}, keys sorted,
 * secrets masked), written in batches with synchronous writes and rotated by size without
 * ever splitting a line. Disk failures never escape `write`: lines are kept in a bounded
 * buffer, the failure is counted and reported, and writing resumes when the disk recovers.
 */
import * as nodeFs from 'node:fs';
import { dirname } from 'node:path';
import type { DomainEvent, EventListener } from '../core/events.ts';
import { afterWire, drainDeferred } from './after-wire.ts';
import { jsonString, SortedLineSerializer, type TimestampSource } from './json-line.ts';
import { createTextMasker } from './masking.ts';

/** The file operations the event log uses (injectable to simulate a failing disk). */
export type EventLogFs = Pick<
  typeof nodeFs,
  'openSync' | 'writeSync' | 'closeSync' | 'fstatSync' | 'renameSync' | 'unlinkSync' | 'mkdirSync' | 'ftruncateSync'
>;

export type EventLogOperation = 'open' | 'write' | 'rotate' | 'serialize';

/** Writing the event log failed; `systemCode` is the OS error (ENOSPC, EACCES, EROFS, EISDIR, ...). */
export class EventLogWriteError extends Error {
  readonly code = 'MM_ERR_EVENT_LOG_WRITE';
  readonly operation: EventLogOperation;
  readonly systemCode: string | null;
  readonly path: string;

  constructor(operation: EventLogOperation, path: string, cause: unknown) {
    const systemCode = typeof (cause as { code?: unknown } | null)?.code === 'string' ? (cause as { code: string }).code : null;
    super(`event log ${operation} failed for ${path}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'EventLogWriteError';
    this.operation = operation;
    this.systemCode = systemCode;
    this.path = path;
  }
}

export interface EventLogOptions {
  /** File path; parent directories are created. */
  readonly path: string;
  /** Returns the `ts` of a line (UTC, nanosecond precision: UtcNanosFormatter.now). */
  readonly timestamp: TimestampSource;
  /** Size at which the file is rotated (default 50 MiB). */
  readonly maxBytes?: number;
  /** Rotated files kept: path.1 (newest) .. path.N (default 5; 0 deletes instead). */
  readonly keep?: number;
  /** Buffered size (UTF-16 units) that triggers an immediate flush (default 64 KiB). */
  readonly flushBytes?: number;
  /** Longest time a line waits in the buffer, ms (default 100). */
  readonly flushIntervalMs?: number;
  /** Retry interval while the disk is failing, ms (default 1000). */
  readonly retryIntervalMs?: number;
  /** Cap on lines held while the disk is failing (UTF-16 units, default 16 MiB); the oldest are dropped beyond it. */
  readonly maxPendingBytes?: number;
  /** Secret values to mask wherever they appear in string fields (API key, secret). */
  readonly knownSecrets?: readonly string[];
  /** Called when writing starts failing (once per failure episode); the runner picks the policy. */
  readonly onWriteError?: (error: EventLogWriteError) => void;
  /** Called when writing succeeds again after a failure. */
  readonly onRecovered?: () => void;
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
}

const MIB = 1024 * 1024;
/** Upper bound of one writeSync, so a large backlog does not allocate one huge buffer. */
const MAX_CHUNK_BYTES = MIB;

export class EventLog {
  /**
   * Subscribe this to the EventBus. It takes the timestamp when the event happens and leaves
   * the serializing for after the orders being sent are on the wire (see after-wire.ts).
   */
  readonly listener: EventListener = (event) => {
    const ts = this.timestamp();
    afterWire(() => this.writeAt(event, ts));
  };

  private readonly path: string;
  private readonly timestamp: TimestampSource;
  private readonly maxBytes: number;
  private readonly keep: number;
  private readonly flushBytes: number;
  private readonly flushIntervalMs: number;
  private readonly retryIntervalMs: number;
  private readonly maxPendingBytes: number;
  private readonly onWriteError: (error: EventLogWriteError) => void;
  private readonly onRecovered: () => void;
  private readonly fs: EventLogFs;
  private readonly serializer: SortedLineSerializer;
  private readonly eventNameJson = new Map<string, string>();

  private fd: number | null = null;
  private fileBytes = 0;
  private pending: string[] = [];
  private pendingChars = 0;
  private timer: NodeJS.Timeout | null = null;
  private failing = false;
  private error: EventLogWriteError | null = null;
  private linesWritten = 0;
  private bytesWritten = 0;
  private writeErrors = 0;
  private rotations = 0;
  private linesDropped = 0;

  constructor(options: EventLogOptions) {
    this.path = options.path;
    this.timestamp = options.timestamp;
    this.maxBytes = options.maxBytes ?? 50 * MIB;
    this.keep = options.keep ?? 5;
    this.flushBytes = options.flushBytes ?? 64 * 1024;
    this.flushIntervalMs = options.flushIntervalMs ?? 100;
    this.retryIntervalMs = options.retryIntervalMs ?? 1000;
    this.maxPendingBytes = options.maxPendingBytes ?? 16 * MIB;
    this.onWriteError = options.onWriteError ?? (() => {});
    this.onRecovered = options.onRecovered ?? (() => {});
    this.fs = options.fs ?? nodeFs;
    const secrets = options.knownSecrets ?? [];
    this.serializer = new SortedLineSerializer(['event', 'ts'], createTextMasker(secrets));
  }

  /** Queues one event as a line, stamped now. Never throws. */
  write(event: DomainEvent): void {
    this.writeAt(event, this.timestamp());
  }

  private writeAt(event: DomainEvent, ts: string): void {
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
    if (this.failing) this.dropOverflow();
    if (!this.failing && this.pendingChars >= this.flushBytes) this.flush();
    else this.schedule(this.failing ? this.retryIntervalMs : this.flushIntervalMs);
  }

  /** Writes every buffered line now, synchronously (safe in a signal or exit handler). Never throws. */
  flush(): void {
    drainDeferred();
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    if (this.pending.length === 0) return;
    const failure = this.writePending();
    if (failure !== null) {
      this.recordError(failure, true);
      this.closeFile();
      this.schedule(this.retryIntervalMs);
      return;
    }
    if (this.failing) {
      this.failing = false;
      this.safely(() => this.onRecovered());
    }
  }

  /** Flushes and releases the file. Later writes reopen it. */
  close(): void {
    this.flush();
    this.closeFile();
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
      bytesWritten: this.bytesWritten,
      writeErrors: this.writeErrors,
      rotations: this.rotations,
      linesDropped: this.linesDropped,
      linesPending: this.pending.length,
    };
  }

  /**
   * Writes the pending lines in chunks that respect maxBytes and removes those written.
   * Returns the failure that stopped it, or null when every line was written.
   */
  private writePending(): EventLogWriteError | null {
    const lines = this.pending;
    let done = 0;
    let rotationBlocked = false;
    let failure: EventLogWriteError | null = null;
    try {
      this.openIfClosed();
      // A UTF-16 unit is at most 3 UTF-8 bytes: when even that fits, skip measuring each line.
      const worstCaseBytes = 3 * this.pendingChars;
      if (worstCaseBytes <= MAX_CHUNK_BYTES && this.fileBytes + worstCaseBytes <= this.maxBytes) {
        this.writeChunk(Buffer.from(lines.join('')));
        this.linesWritten += lines.length;
        done = lines.length;
      }
      while (done < lines.length) {
        let end = done;
        let chunkBytes = 0;
        while (end < lines.length && chunkBytes < MAX_CHUNK_BYTES) {
          const bytes = Buffer.byteLength(lines[end] as string);
          const overflows = this.fileBytes + chunkBytes + bytes > this.maxBytes;
          // A line larger than maxBytes still gets written, alone in a fresh file.
          if (overflows && !rotationBlocked && (chunkBytes > 0 || this.fileBytes > 0)) break;
          chunkBytes += bytes;
          end += 1;
        }
        if (end === done) {
          rotationBlocked = !this.rotate();
          continue;
        }
        this.writeChunk(Buffer.from(lines.slice(done, end).join('')));
        this.linesWritten += end - done;
        done = end;
      }
    } catch (cause) {
      failure = cause instanceof EventLogWriteError ? cause : new EventLogWriteError('write', this.path, cause);
    }
    if (done === lines.length) {
      this.pending = [];
      this.pendingChars = 0;
    } else {
      lines.splice(0, done);
      this.recount();
    }
    return failure;
  }

  private writeChunk(chunk: Buffer): void {
    const fd = this.openIfClosed();
    let offset = 0;
    try {
      while (offset < chunk.length) offset += this.fs.writeSync(fd, chunk, offset, chunk.length - offset);
    } catch (cause) {
      // Undo a partial write so a retried chunk never leaves half a line behind.
      if (offset > 0) this.safely(() => this.fs.ftruncateSync(fd, this.fileBytes));
      throw new EventLogWriteError('write', this.path, cause);
    }
    this.fileBytes += chunk.length;
    this.bytesWritten += chunk.length;
  }

  /** Shifts path -> path.1 -> ... -> path.keep and opens a fresh file; returns false if renaming failed. */
  private rotate(): boolean {
    this.closeFile();
    try {
      if (this.keep <= 0) {
        this.fs.unlinkSync(this.path);
      } else {
        for (let n = this.keep - 1; n >= 1; n--) {
          try {
            this.fs.renameSync(`${this.path}.${n}`, `${this.path}.${n + 1}`);
          } catch (error) {
            if ((error as { code?: unknown }).code !== 'ENOENT') throw error;
          }
        }
        this.fs.renameSync(this.path, `${this.path}.1`);
      }
      this.rotations += 1;
      this.openIfClosed();
      return true;
    } catch (cause) {
      // Keep appending to the current file: an oversized file beats lost lines.
      this.recordError(new EventLogWriteError('rotate', this.path, cause), false);
      this.openIfClosed();
      return false;
    }
  }

  private openIfClosed(): number {
    if (this.fd !== null) return this.fd;
    try {
      this.fs.mkdirSync(dirname(this.path), { recursive: true });
      const fd = this.fs.openSync(this.path, 'a');
      this.fd = fd;
      this.fileBytes = this.fs.fstatSync(fd).size;
      return fd;
    } catch (cause) {
      throw new EventLogWriteError('open', this.path, cause);
    }
  }

  private closeFile(): void {
    if (this.fd === null) return;
    const fd = this.fd;
    this.fd = null;
    this.safely(() => this.fs.closeSync(fd));
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
    this.timer = setTimeout(() => {
      this.timer = null;
      this.flush();
    }, delayMs);
    this.timer.unref();
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
      // A failing callback or cleanup must not take the event log down with it.
    }
  }
}
