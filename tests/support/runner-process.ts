/**
 * Starts `node src/main.ts` as a real child process (the way a user runs it), with a given
 * environment, and reads its event log.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const REPO_ROOT = join(import.meta.dirname, '..', '..');
/** Node 24 from the `node` devDependency (the machine's own node may be older). */
export const NODE_BIN = existsSync(join(REPO_ROOT, 'node_modules', '.bin', 'node')) ? join(REPO_ROOT, 'node_modules', '.bin', 'node') : process.execPath;

export interface EventLine {
  readonly event: string;
  readonly ts: string;
  readonly [field: string]: unknown;
}

/**
 * Returns every complete JSON line of an event log (an absent file reads as empty). A runner may
 * be writing while a test reads: a last line without its newline yet is left for the next read.
 */
export function readEvents(path: string): EventLine[] {
  if (!existsSync(path)) return [];
  const lines = readFileSync(path, 'utf8').split('\n');
  // The text after the last newline is a line still being written (empty when the file ends whole).
  lines.pop();
  return lines.filter((line) => line.length > 0).map((line) => JSON.parse(line) as EventLine);
}

export class RunnerProcess {
  readonly child: ChildProcess;
  stdout = '';
  stderr = '';
  readonly exited: Promise<number | null>;

  constructor(env: Record<string, string>, args: readonly string[] = []) {
    const base: Record<string, string> = {};
    for (const key of ['PATH', 'HOME', 'LANG', 'TZ']) {
      const value = process.env[key];
      if (value !== undefined) base[key] = value;
    }
    this.child = spawn(NODE_BIN, ['src/main.ts', ...args], { cwd: REPO_ROOT, env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout?.on('data', (d: Buffer) => (this.stdout += d.toString()));
    this.child.stderr?.on('data', (d: Buffer) => (this.stderr += d.toString()));
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  /** Sends a signal and resolves with the exit code. */
  async stop(signal: NodeJS.Signals = 'SIGINT', timeoutMs = 20_000): Promise<number | null> {
    if (this.child.exitCode !== null) return this.child.exitCode;
    this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }
}

/** Polls `check` until it returns a truthy value or the time runs out (then throws with `what`). */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 30_000, intervalMs = 200): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
