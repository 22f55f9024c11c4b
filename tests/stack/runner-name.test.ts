/**
 * How a runner's name reaches each back end. Prometheus: the scrape target's `runner` label
 * (compose: a static label; Kubernetes: the PodMonitor, from the pod label
 * app.kubernetes.io/instance), checked by tests/stack/wiring.test.ts, kubernetes.test.ts and the
 * back-end suite. Loki and Tempo: the resource attribute service.instance.id, which docker-compose.yml
 * and k8s/ set through the standard OTEL_RESOURCE_ATTRIBUTES.
 *
 * KNOWN GAP, outside this suite's reach: src/telemetry/sdk.ts builds the resource from
 * defaultResource() and a random service.instance.id and never reads OTEL_RESOURCE_ATTRIBUTES, so
 * today the runner's traces and logs carry a random id per start, not its name. The test below
 * pins that behaviour so that it fails the day the SDK setup reads the variable: then assert the
 * name instead (and drop the caveat in README.md, "Kubernetes: a desk of runners").
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

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

describe("the runner's name on its traces and logs (service.instance.id)", () => {
  it('KNOWN GAP (src/telemetry/sdk.ts): OTEL_RESOURCE_ATTRIBUTES is not read yet, service.instance.id is a random id per start', async () => {
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
    expect(ids.size).toBe(1);
    const [id] = [...ids];
    // The day this fails with "mm-runner-btc", the gap is closed: expect the name here instead.
    expect(id).not.toBe('mm-runner-btc');
    expect(String(id)).toMatch(UUID);
  }, 90_000);
});
