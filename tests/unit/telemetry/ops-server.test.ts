import { afterEach, describe, expect, it } from 'vitest';
import { startOpsServer, type OpsServer, type ReadinessChecks } from '../../../src/telemetry/ops-server.ts';

describe('ops server', () => {
  let server: OpsServer | null = null;
  let checks: ReadinessChecks = { exchange: true, risk: true, state: true };
  let render: () => Promise<string> = () => Promise.resolve('# metrics\n');

  afterEach(async () => {
    await server?.close();
    server = null;
  });

  async function start(): Promise<OpsServer> {
    server = await startOpsServer({
      host: '127.0.0.1',
      port: 0,
      renderMetrics: () => render(),
      readiness: () => checks,
    });
    return server;
  }

  it('answers /health with 200 {"status":"ok"}', async () => {
    const s = await start();
    const res = await fetch(`${s.url}/health`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('{"status":"ok"}');
  });

  it('answers /ready with 200 when every check passes and 503 naming the failed check otherwise', async () => {
    const s = await start();
    checks = { exchange: true, risk: true, state: true };
    let res = await fetch(`${s.url}/ready`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('{"checks":{"exchange":true,"risk":true,"state":true},"status":"ok"}');
    checks = { exchange: true, risk: false, state: true };
    res = await fetch(`${s.url}/ready`);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ checks: { exchange: true, risk: false, state: true }, status: 'fail' });
  });

  it('serves /metrics as Prometheus text 0.0.4, a failed render as 500, and 404s anything else as JSON', async () => {
    const s = await start();
    render = () => Promise.resolve('# metrics\n');
    const metrics = await fetch(`${s.url}/metrics`);
    expect(metrics.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(await metrics.text()).toBe('# metrics\n');
    render = () => Promise.reject(new Error('collect failed'));
    const failed = await fetch(`${s.url}/metrics`);
    expect(failed.status).toBe(500);
    expect(await failed.text()).toBe('# failed to render metrics: collect failed\n');
    const res = await fetch(`${s.url}/nope`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual({ error: 'not found', path: '/nope' });
  });
});
