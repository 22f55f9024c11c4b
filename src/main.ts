/**
 * Entry point: `mm-runner [run] [flags]` trades; `mm-runner sim` runs the simulator standalone.
 * Parses configuration (every problem reported at once, exit 2), starts the app, and turns
 * SIGINT/SIGTERM into a graceful stop: stop quoting, cancel everything, flush, exit 0.
 */
import { simStartingPositions, startApp } from './app.ts';
import { CONFIG_EXIT_CODE, ConfigError, formatConfigError, knownSecrets, loadConfigFromProcess, type Config } from './config/index.ts';
import { createTextMasker, type TextMasker } from './telemetry/masking.ts';
import { otelEnvironment } from './telemetry/sdk.ts';
import { runStandaloneSimulator } from './sim/standalone.ts';

const DUPLICATE_SIGNAL_MS = 1000;

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
      symbols: config.symbols,
      startingPositions: simStartingPositions(config),
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

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function trade(config: Config, mask: TextMasker): Promise<number> {
  let app;
  try {
    app = await startApp(config, { otelEnv: otelEnvironment(), stdout: process.stdout });
  } catch (error) {
    // Settings that only the venue's instruments can check (lot steps) fail like any other setting.
    if (error instanceof ConfigError) {
      process.stderr.write(`${mask(formatConfigError(error))}\n`);
      return CONFIG_EXIT_CODE;
    }
    throw error;
  }
  let firstSignalAt: number | null = null;
  const onSignal = (signal: NodeJS.Signals) => {
    const now = performance.now();
    // Ctrl-C under `npm start` arrives twice (the terminal signals the whole process group and
    // npm forwards its own copy): a repeat within a second is the same request to stop.
    if (firstSignalAt !== null && now - firstSignalAt < DUPLICATE_SIGNAL_MS) return;
    if (firstSignalAt !== null) {
      process.stderr.write(`second ${signal}: exiting without waiting for cancel confirmation\n`);
      process.exit(130);
    }
    firstSignalAt = now;
    void app.stop(signal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  await app.done;
  const left = app.runner.state() === 'stopped' ? 0 : 1;
  return left;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`mm-runner failed: ${createTextMasker([])(errorText(error))}\n`);
    process.exitCode = 1;
  },
);
