import { afterEach, describe, expect, it } from 'vitest';
import { startOpsServer, type OpsServer, type ReadinessChecks } from '../../../src/telemetry/ops-server.ts';

describe('ops server', () => {
  let server: OpsServer | null = null;
  let checks: ReadinessChecks = { exchange: true, risk: true, state: true };

  afterEach(async () => {
    await server?.close();
    server = null;
  });

  async function start(): Promise<OpsServer> {
    server = await startOpsServer({
      host: '127.0.0.1',
      port: 0,
      metrics: (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.end('# metrics\n');
      },
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

  it('serves /metrics through the given handler and 404s anything else as JSON', async () => {
    const s = await start();
    expect(await (await fetch(`${s.url}/metrics`)).text()).toBe('# metrics\n');
    const res = await fetch(`${s.url}/nope`);
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toBe('application/json');
    expect(await res.json()).toEqual({ error: 'not found', path: '/nope' });
  });
});
