/**
 * The event log's file: appends whole lines, rotates by size without splitting a line, and makes
 * sure the file it writes is the one at its path. It repairs a torn last line (a crash in the
 * middle of a write) before appending, reopens a file deleted or replaced under it (writing again
 * the lines a deleted file took with it), and retries a failed rotation, letting the file grow to
 * `hardMaxBytes` meanwhile. Every such fault is counted and reported as a notice; failures that
 * leave lines unwritten are thrown as EventLogWriteError for the buffering layer (event-log.ts).
 */
import type * as nodeFs from 'node:fs';
import { dirname } from 'node:path';

/** The file operations the event log uses (injectable to simulate a failing disk). */
export type EventLogFs = Pick<
  typeof nodeFs,
  'openSync' | 'writeSync' | 'readSync' | 'closeSync' | 'fstatSync' | 'statSync' | 'renameSync' | 'unlinkSync' | 'mkdirSync' | 'ftruncateSync'
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

/** Faults the event log counts (the `fault` label of mm_event_log_faults_total). */
export const EVENT_LOG_FAULTS = ['write_failed', 'rotation_failed', 'file_deleted', 'file_replaced', 'torn_line'] as const;
export type EventLogFault = (typeof EVENT_LOG_FAULTS)[number];

/** Something the event log detected and dealt with, for the operator's logs. */
export type EventLogNotice =
  /** The first failed rotation of an episode; it is retried every retryIntervalMs. */
  | { readonly kind: 'rotation_failed'; readonly path: string; readonly error: EventLogWriteError }
  /** A rotation succeeded after `failedAttempts` failed ones. */
  | { readonly kind: 'rotation_recovered'; readonly path: string; readonly failedAttempts: number }
  /** The open file was deleted or replaced (moved away) and the path was opened again. */
  | { readonly kind: 'file_reopened'; readonly path: string; readonly reason: 'deleted' | 'replaced'; readonly linesRewritten: number }
  /** The file ended in the middle of a line; a newline was added before appending. */
  | { readonly kind: 'torn_line_repaired'; readonly path: string };

export interface EventLogFileOptions {
  readonly path: string;
  readonly fs: EventLogFs;
  readonly maxBytes: number;
  /** Size the file may reach while rotation fails; beyond it `append` throws. */
  readonly hardMaxBytes: number;
  readonly keep: number;
  /** Shortest time between two rotation attempts after one failed, ms. */
  readonly retryIntervalMs: number;
  /** Monotonic time, ms. */
  readonly now: () => number;
  readonly onNotice: (notice: EventLogNotice) => void;
  /** Called on every failed rotation attempt (no line is lost by one). */
  readonly onRotationError: (error: EventLogWriteError) => void;
}

const MIB = 1024 * 1024;
/** Upper bound of one writeSync, so a large backlog does not allocate one huge buffer. */
const MAX_CHUNK_BYTES = MIB;
const NEWLINE = 0x0a;

export class EventLogFile {
  /** Fault counts by kind (`write_failed` is counted by the buffering layer). */
  readonly faults: Record<Exclude<EventLogFault, 'write_failed'>, number> = { rotation_failed: 0, file_deleted: 0, file_replaced: 0, torn_line: 0 };
  rotations = 0;
  bytesWritten = 0;

  private readonly options: EventLogFileOptions;
  private readonly path: string;
  private readonly fs: EventLogFs;
  private fd: number | null = null;
  private size = 0;
  /** Lines written since the open file was last found to be the one at the path. */
  private unverified: string[] = [];
  /** Lines a deleted file took with it: written first into the next file opened. */
  private orphaned: string[] = [];
  private rotationFailedAt: number | null = null;
  private rotationFailures = 0;
  private rotationError: EventLogWriteError | null = null;

  constructor(options: EventLogFileOptions) {
    this.options = options;
    this.path = options.path;
    this.fs = options.fs;
  }

  /** Returns true when lines were written since the file's identity was last checked. */
  hasUnverified(): boolean {
    return this.unverified.length > 0 || this.orphaned.length > 0;
  }

  /**
   * Appends `lines` (whose lengths sum to `chars` UTF-16 units) in order, rotating where the next
   * line would cross maxBytes. Returns how many lines, from the first, were written, and the
   * failure that stopped it (null when all were). A failed write leaves no partial line behind.
   */
  append(lines: readonly string[], chars: number): { written: number; failure: EventLogWriteError | null } {
    if (lines.length === 0) return { written: 0, failure: null };
    let done = 0;
    try {
      this.openIfClosed();
      // A UTF-16 unit is at most 3 UTF-8 bytes: when even that fits, skip measuring each line.
      const worstCaseBytes = 3 * chars;
      if (worstCaseBytes <= MAX_CHUNK_BYTES && this.size + worstCaseBytes <= this.options.maxBytes) {
        this.writeLines(lines, 0, lines.length);
        done = lines.length;
      }
      let rotationBlocked = this.rotationBackingOff();
      while (done < lines.length) {
        const limit = rotationBlocked ? this.options.hardMaxBytes : this.options.maxBytes;
        let end = done;
        let chunkBytes = 0;
        while (end < lines.length && chunkBytes < MAX_CHUNK_BYTES) {
          const bytes = Buffer.byteLength(lines[end] as string);
          // A line larger than maxBytes still gets written, alone in a fresh file.
          if (this.size + chunkBytes + bytes > limit && (chunkBytes > 0 || this.size > 0)) break;
          chunkBytes += bytes;
          end += 1;
        }
        if (end > done) {
          this.writeLines(lines, done, end);
          done = end;
        } else if (rotationBlocked) {
          // Rotation keeps failing and the file is at its hard limit: stop rather than fill the disk.
          throw this.rotationError ?? new EventLogWriteError('rotate', this.path, new Error('rotation pending'));
        } else {
          rotationBlocked = !this.rotate();
        }
      }
      return { written: done, failure: null };
    } catch (cause) {
      return { written: done, failure: cause instanceof EventLogWriteError ? cause : new EventLogWriteError('write', this.path, cause) };
    }
  }

  /**
   * Checks that the open file is still the one at the path. A deleted file is replaced by a new
   * one holding again the lines written since the last check; a file moved away keeps its lines
   * and the path is opened again. Throws EventLogWriteError when the path cannot be opened.
   */
  verify(): void {
    if (this.fd === null) {
      if (this.orphaned.length > 0) this.openIfClosed();
      return;
    }
    const reason = this.identityLost(this.fd);
    if (reason === null) {
      this.unverified = [];
      return;
    }
    const lost = reason === 'deleted' ? this.unverified : [];
    this.orphaned.push(...lost);
    this.unverified = [];
    this.faults[reason === 'deleted' ? 'file_deleted' : 'file_replaced'] += 1;
    this.closeFd();
    this.options.onNotice({ kind: 'file_reopened', path: this.path, reason, linesRewritten: lost.length });
    this.openIfClosed();
  }

  /** Releases the file (the next append reopens it). */
  close(): void {
    this.unverified = [];
    this.closeFd();
  }

  /** Returns 'deleted' or 'replaced' when the open file is no longer the one at the path, else null. */
  private identityLost(fd: number): 'deleted' | 'replaced' | null {
    try {
      const own = this.fs.fstatSync(fd);
      if (own.nlink === 0) return 'deleted';
      let atPath: nodeFs.Stats;
      try {
        atPath = this.fs.statSync(this.path);
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        if (code === 'ENOENT' || code === 'ENOTDIR') return 'replaced';
        throw error;
      }
      return atPath.ino === own.ino && atPath.dev === own.dev ? null : 'replaced';
    } catch (cause) {
      throw new EventLogWriteError('open', this.path, cause);
    }
  }

  private rotationBackingOff(): boolean {
    return this.rotationFailedAt !== null && this.options.now() - this.rotationFailedAt < this.options.retryIntervalMs;
  }

  /** Shifts path -> path.1 -> ... -> path.keep and opens a fresh file; returns false if that failed. */
  private rotate(): boolean {
    // Lines a deleted file took with it must not be rotated away unwritten.
    this.verify();
    this.closeFd();
    try {
      if (this.options.keep <= 0) {
        this.fs.unlinkSync(this.path);
      } else {
        for (let n = this.options.keep - 1; n >= 1; n--) {
          try {
            this.fs.renameSync(`${this.path}.${n}`, `${this.path}.${n + 1}`);
          } catch (error) {
            if ((error as { code?: unknown }).code !== 'ENOENT') throw error;
          }
        }
        this.fs.renameSync(this.path, `${this.path}.1`);
      }
    } catch (cause) {
      this.rotationFailed(new EventLogWriteError('rotate', this.path, cause));
      // Keep appending to the current file meanwhile: an oversized file beats lost lines.
      this.openIfClosed();
      return false;
    }
    this.rotations += 1;
    this.unverified = [];
    if (this.rotationFailures > 0) this.options.onNotice({ kind: 'rotation_recovered', path: this.path, failedAttempts: this.rotationFailures });
    this.rotationFailedAt = null;
    this.rotationFailures = 0;
    this.rotationError = null;
    this.openIfClosed();
    return true;
  }

  private rotationFailed(error: EventLogWriteError): void {
    this.faults.rotation_failed += 1;
    this.rotationFailures += 1;
    this.rotationFailedAt = this.options.now();
    this.rotationError = error;
    this.options.onRotationError(error);
    if (this.rotationFailures === 1) this.options.onNotice({ kind: 'rotation_failed', path: this.path, error });
  }

  private openIfClosed(): number {
    if (this.fd !== null) return this.fd;
    let fd: number;
    try {
      this.fs.mkdirSync(dirname(this.path), { recursive: true });
      fd = this.fs.openSync(this.path, 'a+');
    } catch (cause) {
      throw new EventLogWriteError('open', this.path, cause);
    }
    this.fd = fd;
    try {
      this.size = this.fs.fstatSync(fd).size;
      if (this.size > 0 && !this.endsWithNewline(fd, this.size)) {
        // A crash left half a line: end it, so that it does not swallow the next line.
        this.writeText(fd, '\n');
        this.faults.torn_line += 1;
        this.options.onNotice({ kind: 'torn_line_repaired', path: this.path });
      }
      if (this.orphaned.length > 0) {
        this.writeLines(this.orphaned, 0, this.orphaned.length);
        this.orphaned = [];
      }
    } catch (cause) {
      this.closeFd();
      throw cause instanceof EventLogWriteError ? cause : new EventLogWriteError('open', this.path, cause);
    }
    return fd;
  }

  private endsWithNewline(fd: number, size: number): boolean {
    const last = Buffer.alloc(1);
    return this.fs.readSync(fd, last, 0, 1, size - 1) === 1 && last[0] === NEWLINE;
  }

  private writeLines(lines: readonly string[], from: number, to: number): void {
    const fd = this.openIfClosed();
    const whole = from === 0 && to === lines.length;
    this.writeText(fd, whole && lines.length === 1 ? (lines[0] as string) : (whole ? lines : lines.slice(from, to)).join(''));
    for (let i = from; i < to; i++) this.unverified.push(lines[i] as string);
  }

  /**
   * Writes `text` whole or not at all. The string goes to writeSync as is: Node encodes a short
   * string without allocating a Buffer, which matters on the write-ahead path.
   */
  private writeText(fd: number, text: string): void {
    const bytes = Buffer.byteLength(text);
    let offset = 0;
    try {
      offset = this.fs.writeSync(fd, text);
      if (offset < bytes) {
        const rest = Buffer.from(text);
        while (offset < bytes) offset += this.fs.writeSync(fd, rest, offset, bytes - offset);
      }
    } catch (cause) {
      // Undo a partial write so a retried line is never left half written.
      if (offset > 0) {
        try {
          this.fs.ftruncateSync(fd, this.size);
        } catch {
          // The torn line this leaves is repaired when the file is next opened.
        }
      }
      throw new EventLogWriteError('write', this.path, cause);
    }
    this.size += bytes;
    this.bytesWritten += bytes;
  }

  private closeFd(): void {
    if (this.fd === null) return;
    const fd = this.fd;
    this.fd = null;
    try {
      this.fs.closeSync(fd);
    } catch {
      // Closing a descriptor that failed is best effort.
    }
  }
}
