import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_OPS_LIMITS, startOpsServer, type OpsServer, type OpsServerLimits, type ReadinessChecks } from '../../../src/telemetry/ops-server.ts';
import { waitFor } from '../../support/runner-process.ts';

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

  it('says on /ready which transport orders take, and REST taking over never fails readiness', async () => {
    const s = await start();
    checks = { exchange: true, risk: true, state: true, orderTransport: 'rest' };
    const res = await fetch(`${s.url}/ready`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('{"checks":{"exchange":true,"risk":true,"state":true},"status":"ok","order_transport":"rest"}');
    checks = { exchange: true, risk: true, state: true, orderTransport: 'ws' };
    expect(await (await fetch(`${s.url}/ready`)).json()).toMatchObject({ status: 'ok', order_transport: 'ws' });
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

  describe('under attack (issue 12, item 13)', () => {
    const clients: Socket[] = [];
    afterEach(() => {
      for (const socket of clients.splice(0)) socket.destroy();
    });

    async function startLimited(limits: Partial<OpsServerLimits>): Promise<OpsServer> {
      server = await startOpsServer({ host: '127.0.0.1', port: 0, renderMetrics: () => render(), readiness: () => checks, limits });
      return server;
    }

    /** Opens a raw connection and resolves once connected; `closed` resolves when the server closes it. */
    async function rawClient(s: OpsServer): Promise<{ socket: Socket; closed: Promise<void>; isClosed: () => boolean }> {
      const socket = connect(s.port, '127.0.0.1');
      clients.push(socket);
      let closedFlag = false;
      const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
      void closed.then(() => (closedFlag = true));
      socket.on('error', () => {});
      await new Promise<void>((resolve, reject) => {
        socket.once('connect', resolve);
        socket.once('error', reject);
      });
      return { socket, closed, isClosed: () => closedFlag };
    }

    async function health(s: OpsServer): Promise<number> {
      return (await fetch(`${s.url}/health`, { signal: AbortSignal.timeout(10_000) })).status;
    }

    it('holds at most maxConnections however many clients connect and never send, and /health still answers', async () => {
      const s = await startLimited({ maxConnections: 8, idleTimeoutMs: 60_000 });
      const silent: Array<Awaited<ReturnType<typeof rawClient>>> = [];
      for (let i = 0; i < 40; i++) silent.push(await rawClient(s));
      // The oldest idle connections make way: at most 8 held, the newest among them.
      await waitFor('the server to shed the connections beyond its cap', () => silent.filter((c) => c.isClosed()).length >= 32, 10_000, 20);
      expect(silent.slice(-7).every((c) => !c.isClosed())).toBe(true);
      expect(await health(s)).toBe(200);
      expect(await health(s)).toBe(200);
    });

    it('closes a connection that sends nothing once idleTimeoutMs has passed', async () => {
      const s = await startLimited({ idleTimeoutMs: 300 });
      const silent = await rawClient(s);
      await waitFor('the idle connection to be closed', () => silent.isClosed(), 10_000, 20);
      expect(await health(s)).toBe(200);
    });

    it('closes a client that trickles its headers (slowloris) after headersTimeoutMs', async () => {
      const s = await startLimited({ headersTimeoutMs: 500, idleTimeoutMs: 60_000 });
      const slow = await rawClient(s);
      slow.socket.write('GET /health HTTP/1.1\r\nHost: x\r\n');
      const trickle = setInterval(() => slow.socket.write('X-A: b\r\n'), 50);
      try {
        await waitFor('the slow client to be closed', () => slow.isClosed(), 10_000, 20);
      } finally {
        clearInterval(trickle);
      }
    });

    it('coalesces concurrent /metrics renders into one', async () => {
      const s = await startLimited({});
      let renders = 0;
      const finish: Array<(body: string) => void> = [];
      render = () => {
        renders += 1;
        return new Promise<string>((resolve) => finish.push(resolve));
      };
      const scrapes = [fetch(`${s.url}/metrics`), fetch(`${s.url}/metrics`), fetch(`${s.url}/metrics`)];
      await waitFor('three scrapes at the server', () => s.stats().requests >= 3, 5_000, 5);
      for (const done of finish) done('# shared\n');
      const bodies = await Promise.all(scrapes.map(async (r) => (await r).text()));
      expect(bodies).toEqual(['# shared\n', '# shared\n', '# shared\n']);
      expect(renders).toBe(1);
      render = () => Promise.resolve('# fresh\n');
      expect(await (await fetch(`${s.url}/metrics`)).text()).toBe('# fresh\n');
    });

    it('cuts off a client that pipelines /metrics requests and never reads: renders stay few, /health answers', async () => {
      const s = await startLimited({ maxPipelined: 4, idleTimeoutMs: 60_000 });
      let renders = 0;
      const body = `${'# padding line of a large exposition\n'.repeat(7_000)}`;
      render = () => {
        renders += 1;
        return new Promise((resolve) => setImmediate(() => resolve(body)));
      };
      const flood = await rawClient(s);
      flood.socket.pause();
      flood.socket.write('GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(3_000));
      await waitFor('the flooding client to be cut off', () => flood.isClosed(), 10_000, 20);
      expect(renders).toBeLessThanOrEqual(5);
      expect(s.stats().shed).toBeGreaterThanOrEqual(1);
      expect(await health(s)).toBe(200);
    });

    it('closes a client whose unread answers pass maxBufferedBytes instead of giving it more', async () => {
      const s = await startLimited({ maxPipelined: 4, maxBufferedBytes: 64 * 1024, idleTimeoutMs: 60_000 });
      const body = 'x'.repeat(16 * 1024 * 1024);
      render = () => Promise.resolve(body);
      const reader = await rawClient(s);
      reader.socket.pause();
      // Three scrapes in one go, within the pipelining limit; the first answer alone overflows the socket.
      reader.socket.write('GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(3));
      // Observed at the server: a client that reads nothing does not notice its socket closing.
      await waitFor('the client that does not read to be cut off', () => s.stats().shed === 1 && s.stats().connections === 0, 10_000, 20);
      expect(await health(s)).toBe(200);
    });

    it('has the documented defaults, and holds at most 32 connections with them', async () => {
      expect(DEFAULT_OPS_LIMITS).toEqual({
        maxConnections: 32,
        idleTimeoutMs: 15_000,
        headersTimeoutMs: 5_000,
        maxPipelined: 4,
        maxBufferedBytes: 1024 * 1024,
      });
      const s = await startLimited({});
      const silent: Array<Awaited<ReturnType<typeof rawClient>>> = [];
      for (let i = 0; i < 40; i++) silent.push(await rawClient(s));
      await waitFor('the connections beyond 32 to be shed', () => silent.filter((c) => c.isClosed()).length >= 8, 10_000, 20);
      expect(s.stats().connections).toBeLessThanOrEqual(32);
      expect(await health(s)).toBe(200);
    });

    it('still answers a client that pipelines within the limit', async () => {
      const s = await startLimited({ maxPipelined: 4 });
      const client = await rawClient(s);
      let received = '';
      client.socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
      client.socket.write('GET /health HTTP/1.1\r\nHost: x\r\n\r\n'.repeat(3));
      await waitFor('three answers', () => received.split('{"status":"ok"}').length - 1 === 3, 10_000, 10);
      expect(client.isClosed()).toBe(false);
    });
  });
});
