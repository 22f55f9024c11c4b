/**
 * Runs the simulator as a process of its own (`mm-runner sim`): starts it, prints where it
 * listens, and stops cleanly on SIGINT/SIGTERM. Options come as arguments, never from the
 * environment.
 */
import { SIM_API_KEY, startSimulator, type SimulatorHandle, type SimulatorOptions } from './simulator.ts';

export interface StandaloneOptions extends SimulatorOptions {
  /** Where the banner goes (default stdout). */
  readonly print?: (line: string) => void;
  /** Stops the simulator when aborted, like a signal would. */
  readonly stop?: AbortSignal;
}

/** Starts the simulator, prints its URLs and credentials, and resolves once SIGINT/SIGTERM (or `stop`) has stopped it. */
export async function runStandaloneSimulator(options: StandaloneOptions = {}): Promise<void> {
  const { print = (line: string) => void process.stdout.write(`${line}\n`), stop: stopSignal, ...simOptions } = options;
  const sim: SimulatorHandle = await startSimulator(simOptions);
  print(`mm-runner simulator listening`);
  print(`  REST       ${sim.restUrl}`);
  print(`  WebSocket  ${sim.wsUrl}/public/... ${sim.wsUrl}/market/... ${sim.wsUrl}/private/ws/<listenKey>`);
  print(`  admin      ${sim.restUrl}/sim/admin/state`);
  print(
    `  symbols    ${sim.exchange
      .symbols()
      .map((s) => s.spec.symbol)
      .join(', ')}`,
  );
  if (sim.apiKey === SIM_API_KEY) {
    print(`  apiKey     ${sim.apiKey}`);
    print(`  (Binance's documented example key; the secret is its documented example secret)`);
  } else {
    print(`  apiKey     the key it was given (not printed)`);
  }
  await new Promise<void>((resolve) => {
    const stop = (reason: string): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      stopSignal?.removeEventListener('abort', onAbort);
      print(`simulator stopping on ${reason}`);
      sim.close().then(resolve, resolve);
    };
    const onAbort = (): void => stop('abort');
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    if (stopSignal?.aborted) onAbort();
    else stopSignal?.addEventListener('abort', onAbort, { once: true });
  });
}
