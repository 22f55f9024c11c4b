/**
 * Entry point: `mm-runner [run] [flags]` trades; `mm-runner sim` runs the simulator standalone.
 * Parses configuration (every problem reported at once, exit 2), starts the app, and turns
 * SIGINT, SIGTERM, SIGHUP, SIGQUIT and SIGUSR2 into a graceful stop: stop quoting, cancel
 * everything, flush; exit 0 only when the venue confirmed that none of our orders rests (3 when
 * some may, 4 when another instance trades with our prefix). Whatever reaches stderr is masked
 * like every other sink.
 */
import { simCredentials, simStartingPositions, startApp, type App } from './app.ts';
import { CONFIG_EXIT_CODE, ConfigError, formatConfigError, knownSecrets, launchedByNpm, loadConfigFromProcess, type Config } from './config/index.ts';
import { every } from './core/clock.ts';
import { SystemClock } from './runner/clocks.ts';
import type { StopReport } from './runner/runner.ts';
import { runStandaloneSimulator } from './sim/standalone.ts';
import { listingWith } from './sim/symbols.ts';
import { createTextMasker, type TextMasker } from './telemetry/masking.ts';
import { otelEnvironment } from './telemetry/sdk.ts';

const DUPLICATE_SIGNAL_MS = 1000;
/** How often a runner started by npm checks that npm is still its parent. */
const PARENT_CHECK_MS = 500;
/** The process's own timers (signals, the parent watch, the exit safety net). */
const clock = new SystemClock();
/** Signals that stop the runner gracefully (SIGUSR1 stays Node's inspector signal). */
const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR2'];
/** Exit codes besides 0 (clean stop), 1 (start-up failure) and 2 (invalid configuration). */
const EXIT_ORDERS_MAY_REMAIN = 3;
const EXIT_ANOTHER_INSTANCE = 4;

/** Returns the exit code for how the runner stopped: 0 only when the venue confirmed nothing rests. */
function exitCodeOf(report: StopReport | null): number {
  if (report === null) return 1;
  if (report.reason === 'another_instance') return EXIT_ANOTHER_INSTANCE;
  return report.clean ? 0 : EXIT_ORDERS_MAY_REMAIN;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function main(): Promise<number> {
  let loaded;
  try {
    loaded = loadConfigFromProcess();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${createTextMasker([])(formatConfigError(error))}\n`);
      return CONFIG_EXIT_CODE;
    }
    throw error;
  }
  if (loaded.kind === 'help') {
    process.stdout.write(`${loaded.text}\n`);
    return 0;
  }
  const config = loaded.config;
  if (config.command === 'sim') {
    await runStandaloneSimulator({
      host: config.sim.host,
      port: config.sim.port,
      seed: config.sim.seed,
      fundingIntervalMs: config.sim.fundingIntervalS * 1000,
      symbols: listingWith(config.symbols),
      startingPositions: simStartingPositions(config),
      ...simCredentials(config),
    });
    return 0;
  }

  // Whatever reaches stderr from here on is masked like every other sink (an exchange error may echo the signed request).
  const mask = createTextMasker(knownSecrets(config));
  try {
    return await trade(config, mask);
  } catch (error) {
    process.stderr.write(`mm-runner failed: ${mask(errorText(error))}\n`);
    return 1;
  }
}

async function trade(config: Config, mask: TextMasker): Promise<number> {
  // Every signal that ends a terminal session or a container asks for the same graceful stop.
  // Handlers go in before start-up, so a signal during it still stops cleanly once the runner is up.
  let app: App | null = null;
  let stopSignal: NodeJS.Signals | 'parent_exited' | null = null;
  let firstSignalAt: number | null = null;
  const onSignal = (signal: NodeJS.Signals | 'parent_exited') => {
    const now = Number(clock.monoNs()) / 1e6;
    // Ctrl-C under `npm start` arrives twice (the terminal signals the whole process group and
    // npm forwards its own copy): a repeat within a second is the same request to stop.
    if (firstSignalAt !== null && now - firstSignalAt < DUPLICATE_SIGNAL_MS) return;
    if (firstSignalAt !== null) {
      process.stderr.write(`second ${signal}: exiting without waiting for cancel confirmation\n`);
      process.exit(130);
    }
    firstSignalAt = now;
    stopSignal = signal;
    if (app !== null) void app.stop(signal);
  };
  for (const signal of STOP_SIGNALS) process.on(signal, onSignal);
  // A reader that goes away (`npm start | head`) closes stdout under us: the human-facing log
  // stops there, trading goes on (the event log and OTLP keep the record), never an unhandled EPIPE.
  let stdoutClosed = false;
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (stdoutClosed) return;
    stdoutClosed = true;
    process.stderr.write(`mm-runner: stdout closed (${error.code ?? error.message}); logs go on in the event log and OTLP\n`);
  });
  // npm does not forward a SIGTERM sent to it: killed, it leaves the runner trading on its own,
  // reparented. A runner npm started stops gracefully when its parent goes away.
  if (launchedByNpm()) {
    const parent = process.ppid;
    const watch = every(
      clock,
      PARENT_CHECK_MS,
      () => {
        if (process.ppid === parent) return;
        watch.cancel();
        process.stderr.write(`mm-runner: npm (pid ${parent}) is gone; stopping\n`);
        onSignal('parent_exited');
      },
      { background: true },
    );
  }

  try {
    app = await startApp(config, { otelEnv: otelEnvironment(), stdout: process.stdout, stderr: process.stderr });
  } catch (error) {
    // Settings that only the venue's instruments can check (lot steps) fail like any other setting.
    if (error instanceof ConfigError) {
      process.stderr.write(`${mask(formatConfigError(error))}\n`);
      return CONFIG_EXIT_CODE;
    }
    throw error;
  }
  if (stopSignal !== null) void app.stop(stopSignal);
  await app.done;
  const report = app.runner.stopReport();
  if (report?.detail != null) process.stderr.write(`mm-runner: ${mask(report.detail)}\n`);
  return exitCodeOf(report);
}

/** How long the process may outlive its stop before it exits anyway. */
const EXIT_GRACE_MS = 10_000;

main().then(
  (code) => {
    process.exitCode = code;
    // Everything is closed, so the process ends by itself; a handle left open by mistake must not
    // keep a stopped runner alive (a supervisor waits for it to go before starting the next one).
    clock.setTimer(
      () => {
        process.stderr.write(`mm-runner: still running ${EXIT_GRACE_MS / 1000} s after it stopped (a handle left open); exiting\n`);
        process.exit(code);
      },
      EXIT_GRACE_MS,
      { background: true },
    );
  },
  (error: unknown) => {
    process.stderr.write(`mm-runner failed: ${createTextMasker([])(errorText(error))}\n`);
    process.exitCode = 1;
  },
);
