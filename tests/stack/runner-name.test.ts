/**
 * How a runner's name reaches each back end. Prometheus: the scrape target's `runner` label
 * (compose: a static label; Kubernetes: the PodMonitor, from the pod label
 * app.kubernetes.io/instance), checked by tests/stack/wiring.test.ts, kubernetes.test.ts and the
 * back-end suite. Loki and Tempo: the resource attribute service.instance.id, which docker-compose.yml
 * and k8s/ set through the standard OTEL_RESOURCE_ATTRIBUTES.
 * The runner reads that variable with the SDK's own detector (src/telemetry/sdk.ts), so the name
 * set there is the one on every span and log record; without it the id is random per start.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { OtlpReceiver } from '../support/otlp-receiver.ts';
import { freePort } from '../support/prometheus.ts';
import { RunnerProcess, waitFor } from '../support/runner-process.ts';

const dir = mkdtempSync(join(tmpdir(), 'mm-runner-name-'));
const receiver = new OtlpReceiver();
let runner: RunnerProcess | null = null;
afterAll(async () => {
  await runner?.stop('SIGTERM');
  await receiver.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("the runner's name on its traces and logs (service.instance.id)", () => {
  it('carries the name given in OTEL_RESOURCE_ATTRIBUTES on every span and log record', async () => {
    const endpoint = await receiver.start();
    runner = new RunnerProcess({
      MM_OBS_PORT: String(await freePort()),
      MM_EVENT_LOG: join(dir, 'events.log'),
      MM_LOG_LEVEL: 'warn',
      MM_SIM_START_POSITION: '0',
      OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
      OTEL_RESOURCE_ATTRIBUTES: 'service.instance.id=mm-runner-btc',
    });
    await waitFor(
      'a log record and a span exported',
      () => {
        if (runner?.child.exitCode !== null) throw new Error(`runner exited: ${runner?.stderr ?? ''}`);
        return receiver.logs.length > 0 && receiver.spans.length > 0;
      },
      60_000,
    );
    const ids = new Set([...receiver.logs, ...receiver.spans].map((r) => r.resource['service.instance.id']));
    expect([...ids]).toEqual(['mm-runner-btc']);
    // The rest of the resource is the runner's own.
    const names = new Set([...receiver.logs, ...receiver.spans].map((r) => r.resource['service.name']));
    expect([...names]).toEqual(['mm-runner']);
  }, 90_000);
});
