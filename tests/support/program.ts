/**
 * A real server program started for a test (Prometheus, Alertmanager, Loki, Tempo, the
 * collector): its output kept for failure messages, readiness awaited on an HTTP URL, and a
 * SIGTERM (then SIGKILL) at the end.
 */
import { spawn, type ChildProcess } from 'node:child_process';

const LOG_KEEP_CHARS = 50_000;

export interface ProgramOptions {
  /** Shown in errors, e.g. "prometheus". */
  readonly name: string;
  readonly bin: string;
  readonly args: readonly string[];
  /** Polled until it answers 2xx. */
  readonly readyUrl: string;
  /** Upper bound for start-up (a failure bound, not a wait: readiness ends the wait). */
  readonly readyTimeoutMs?: number;
  readonly cwd?: string;
}

export class Program {
  readonly name: string;
  private readonly child: ChildProcess;
  private output = '';
  private readonly exited: Promise<number | null>;

  private constructor(options: ProgramOptions) {
    this.name = options.name;
    this.child = spawn(options.bin, [...options.args], { stdio: ['ignore', 'pipe', 'pipe'], ...(options.cwd === undefined ? {} : { cwd: options.cwd }) });
    const keep = (chunk: Buffer) => {
      this.output = (this.output + chunk.toString()).slice(-LOG_KEEP_CHARS);
    };
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
    this.exited = new Promise((resolve) => {
      this.child.once('exit', (code) => resolve(code));
      this.child.once('error', (error) => {
        this.output += `\n${String(error)}`;
        resolve(null);
      });
    });
  }

  /** Starts the program and resolves once `readyUrl` answers 2xx; rejects with its output if it exits or never gets ready. */
  static async start(options: ProgramOptions): Promise<Program> {
    const program = new Program(options);
    const deadline = Date.now() + (options.readyTimeoutMs ?? 30_000);
    let exitCode: number | null | undefined;
    void program.exited.then((code) => (exitCode = code));
    for (;;) {
      if (exitCode !== undefined) throw new Error(`${options.name} exited (${String(exitCode)}) before it was ready:\n${program.log()}`);
      try {
        const res = await fetch(options.readyUrl, { signal: AbortSignal.timeout(2000) });
        if (res.ok) return program;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) {
        await program.stop();
        throw new Error(`${options.name} was not ready at ${options.readyUrl}:\n${program.log()}`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }

  /** Returns the last part of the program's stdout and stderr. */
  log(): string {
    return this.output.slice(-5000);
  }

  /** Returns true while the process runs. */
  running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Sends SIGTERM (SIGKILL after 10 s) and resolves when the process is gone. */
  async stop(): Promise<void> {
    if (!this.running()) return;
    const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
    this.child.kill('SIGTERM');
    await this.exited;
    clearTimeout(timer);
  }
}
