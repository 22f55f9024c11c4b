/**
 * The image's ops server is reachable from outside its container; on a host it stays on the
 * loopback. Kubernetes' probes and Prometheus connect to the pod's own address, never to
 * 127.0.0.1 inside it: a runner bound to 127.0.0.1 refuses them. There is no Docker engine here,
 * so the runner runs as a process with the environment the Dockerfile's ENV instructions set, and
 * "another address than 127.0.0.1" is 127.0.0.2 (loopback too, so nothing leaves the machine, but
 * a server bound to 127.0.0.1 refuses it exactly as it refuses the pod IP).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { fieldByKey } from '../../src/config/fields.ts';
import { imageEnvironment } from '../support/dockerfile.ts';
import { freePort } from '../support/prometheus.ts';
import { RunnerProcess, waitFor } from '../support/runner-process.ts';
import { readYaml } from './stack-files.ts';

const dir = mkdtempSync(join(tmpdir(), 'mm-image-'));
const started: RunnerProcess[] = [];
afterAll(async () => {
  await Promise.all(started.map((r) => r.stop('SIGTERM')));
  rmSync(dir, { recursive: true, force: true });
});

/** Resolves to the HTTP status of GET /health at host:port, or the connection error's code. */
async function health(host: string, port: number): Promise<number | string> {
  return fetch(`http://${host}:${port}/health`, { signal: AbortSignal.timeout(5000) }).then(
    (r) => r.status,
    (error: unknown) => String((error as { cause?: { code?: string } }).cause?.code ?? error),
  );
}

async function startRunner(name: string, env: Record<string, string>): Promise<{ runner: RunnerProcess; port: number }> {
  const port = await freePort();
  const runner = new RunnerProcess({
    ...env,
    MM_OBS_PORT: String(port),
    MM_EVENT_LOG: join(dir, `${name}.events.log`),
    MM_LOG_LEVEL: 'warn',
    MM_SIM_START_POSITION: '0',
  });
  started.push(runner);
  await waitFor(
    `runner ${name} /health on the loopback`,
    async () => {
      if (runner.child.exitCode !== null) throw new Error(`runner ${name} exited ${runner.child.exitCode}: ${runner.stderr}`);
      return (await health('127.0.0.1', port)) === 200;
    },
    60_000,
  );
  return { runner, port };
}

describe('the ops server address: every interface in the image, the loopback on a host', () => {
  it('the Dockerfile sets MM_OBS_HOST=0.0.0.0; the runner itself defaults to 127.0.0.1; compose does not override it', () => {
    expect(imageEnvironment().MM_OBS_HOST).toBe('0.0.0.0');
    expect(fieldByKey('obsHost')?.default).toBe('127.0.0.1');
    const compose = readYaml<{ services: Record<string, { environment?: Record<string, string> }> }>('docker-compose.yml');
    expect(compose.services.runner?.environment ?? {}).not.toHaveProperty('MM_OBS_HOST');
  });

  it("with the image's environment the runner answers on an address other than 127.0.0.1 (as a probe would reach it); with the host default it refuses it", async () => {
    const [image, host] = await Promise.all([startRunner('image', imageEnvironment()), startRunner('host', {})]);
    expect(await health('127.0.0.2', image.port)).toBe(200);
    expect(await health('127.0.0.2', host.port)).toBe('ECONNREFUSED');
  }, 120_000);
});
