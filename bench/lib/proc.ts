/**
 * Child processes for the benchmarks. Servers (order server, OTLP sink, simulator) and each
 * measured variant run in their own process, so a variant's CPU figures hold only its own work.
 * Children talk to the parent over the IPC channel: they send `{ type: 'ready', ... }` once
 * listening and `{ type: 'result', ... }` when done.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { isAbsolute, join } from 'node:path';

export const BENCH_DIR = join(import.meta.dirname, '..');
export const REPO_ROOT = join(BENCH_DIR, '..');

export interface Message {
  readonly type: string;
  readonly [key: string]: unknown;
}

export class Child {
  readonly proc: ChildProcess;
  readonly name: string;
  private readonly inbox: Message[] = [];
  private readonly waiters: Array<{ type: string; resolve: (m: Message) => void }> = [];
  private readonly exited: Promise<number | null>;
  stderr = '';

  /** `script` is relative to bench/ unless absolute (a scenario of the "before" tree). */
  constructor(script: string, args: readonly string[] = [], execArgv: readonly string[] = []) {
    this.name = script;
    this.proc = fork(isAbsolute(script) ? script : join(BENCH_DIR, script), [...args], {
      cwd: REPO_ROOT,
      execArgv: [...execArgv],
      stdio: ['ignore', 'inherit', 'pipe', 'ipc'],
      env: { ...process.env },
    });
    this.proc.stderr?.on('data', (d: Buffer) => {
      this.stderr += d.toString();
      if (this.stderr.length > 20_000) this.stderr = this.stderr.slice(-10_000);
    });
    this.proc.on('message', (raw) => {
      const message = raw as Message;
      const i = this.waiters.findIndex((w) => w.type === message.type);
      if (i >= 0) this.waiters.splice(i, 1)[0]?.resolve(message);
      else this.inbox.push(message);
    });
    this.exited = new Promise((resolve) => this.proc.once('exit', (code) => resolve(code)));
    void this.exited.then((code) => {
      for (const w of this.waiters.splice(0)) w.resolve({ type: 'exit', code, stderr: this.stderr.slice(-3000) });
    });
  }

  /** Resolves with the next message of `type` (or an `exit` message if the child dies first). */
  next(type: string): Promise<Message> {
    const i = this.inbox.findIndex((m) => m.type === type);
    if (i >= 0) return Promise.resolve(this.inbox.splice(i, 1)[0] as Message);
    if (this.proc.exitCode !== null) return Promise.resolve({ type: 'exit', code: this.proc.exitCode, stderr: this.stderr.slice(-3000) });
    return new Promise((resolve) => this.waiters.push({ type, resolve }));
  }

  /** Like `next`, but throws when the child exited instead. */
  async expect(type: string): Promise<Message> {
    const m = await this.next(type);
    if (m.type === 'exit') throw new Error(`${this.name} exited (${String(m.code)}) before sending ${type}: ${String(m.stderr)}`);
    return m;
  }

  send(message: Message): void {
    this.proc.send(message);
  }

  /** Sends a signal and waits for the exit (SIGKILL after `timeoutMs`). */
  async stop(signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 15_000): Promise<number | null> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return this.proc.exitCode;
    this.proc.kill(signal);
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), timeoutMs);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }

  waitExit(): Promise<number | null> {
    return this.exited;
  }
}

/** Sends a message to the parent (no-op when not forked). */
export function tell(message: Message): void {
  process.send?.(message);
}

/** Resolves with the next parent message of `type`. */
export function fromParent(type: string): Promise<Message> {
  return new Promise((resolve) => {
    const on = (raw: unknown) => {
      const m = raw as Message;
      if (m.type !== type) return;
      process.off('message', on);
      resolve(m);
    };
    process.on('message', on);
  });
}

/**
 * The arguments that point a runner child (scenarios/runner-child.ts) at the simulator whose
 * `ready` message is `sim` and at the OTLP sink at `otlpUrl`.
 */
export function venueArgs(sim: Message, otlpUrl: string): string[] {
  return [
    `--rest=${String(sim.restUrl)}`,
    `--ws=${String(sim.wsUrl)}`,
    `--otlp=${otlpUrl}`,
    `--key=${String(sim.apiKey)}`,
    `--secret=${String(sim.apiSecret)}`,
  ];
}

/** Returns the value of `--name=value` from argv, or `fallback`. */
export function arg(name: string, fallback: string): string {
  const prefix = `--${name}=`;
  const hit = process.argv.find((a) => a.startsWith(prefix));
  return hit === undefined ? fallback : hit.slice(prefix.length);
}

export function flag(name: string): boolean {
  return process.argv.includes(`--${name}`);
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
