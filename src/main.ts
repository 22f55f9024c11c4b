/**
 * Entry point: `mm-runner [run] [flags]` trades; `mm-runner sim` runs the simulator standalone.
 * Parses configuration (every problem reported at once, exit 2), starts the app, and turns
 * SIGINT/SIGTERM into a graceful stop: stop quoting, cancel everything, flush, exit 0.
 */
import { simStartingPositions, startApp } from './app.ts';
import { CONFIG_EXIT_CODE, ConfigError, formatConfigError, loadConfigFromProcess } from './config/index.ts';
import { otelEnvironment } from './telemetry/sdk.ts';
import { runStandaloneSimulator } from './sim/standalone.ts';

async function main(): Promise<number> {
  let loaded;
  try {
    loaded = loadConfigFromProcess();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${formatConfigError(error)}\n`);
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
    await runStandaloneSimulator({ host: config.sim.host, port: config.sim.port, seed: config.sim.seed, fundingIntervalMs: config.sim.fundingIntervalS * 1000, symbols: config.symbols, startingPositions: simStartingPositions(config) });
    return 0;
  }

  const app = await startApp(config, { otelEnv: otelEnvironment(), stdout: process.stdout });
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    signals += 1;
    if (signals > 1) {
      process.stderr.write(`second ${signal}: exiting without waiting for cancel confirmation\n`);
      process.exit(130);
    }
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
    process.stderr.write(`mm-runner failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
