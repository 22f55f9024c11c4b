/**
 * Issue 12 item 6: masking applies to values in every sink. The runner (a child process, as a
 * user runs it) trades on the simulator through a proxy that answers some requests with an
 * error page echoing the signed request (query string, signature) and the API key header, the
 * way a web application firewall or a broken gateway does. A 64-character key pasted into the
 * wrong variable (MM_ENVIRONMENT) and a password in MM_REST_URL ride along. The event log,
 * stdout, stderr, the OTLP bodies a loopback receiver gets (spans: attributes and status
 * messages; log records; resources) and /metrics must carry none of them, whether the echo
 * arrives while trading or fails the start-up.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type SimulatorHandle } from '../../src/sim/index.ts';
import { OtlpReceiver } from '../support/otlp-receiver.ts';
import { freePort } from '../support/prometheus.ts';
import { RestProxy } from '../support/rest-proxy.ts';
import { readEvents, RunnerProcess, waitFor } from '../support/runner-process.ts';

const API_KEY = 'secKeyW4tR7yU1iO3pA6sD9fG2hJ5kL8zX0cV';
const API_SECRET = 'secSecretM3nB6vC9xZ2lK5jH8gF1dS4aQ7wE';
/** The shape of a Binance key, in a variable that is not meant to hold one: masked as an unknown secret. */
const STRAY_KEY = 'Zx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1Hg0FeDcBaZx9Yw8Vu7Ts6Rq5Po4Nm3Lk2Ji1H';
const URL_PASSWORD = 'urlPassw0rdQ8e2';
const ECHO_MARK = 'Request blocked by policy';

interface Sinks {
  readonly eventLog: string;
  readonly stdout: string;
  readonly stderr: string;
  readonly otlp: string;
  readonly metrics: string;
}

let sim: SimulatorHandle;
let dir: string;

function runnerEnv(restUrl: string, otlp: string, eventLog: string, obsPort: number): Record<string, string> {
  const withPassword = restUrl.replace('http://', `http://mmuser:${URL_PASSWORD}@`);
  return {
    MM_EXCHANGE: 'sim',
    MM_REST_URL: withPassword,
    MM_WS_URL: sim.wsUrl,
    // Orders through the echoing REST proxy, so that the venue's answers carry the signed request.
    MM_ORDER_TRANSPORT: 'rest',
    MM_API_KEY: API_KEY,
    MM_API_SECRET: API_SECRET,
    MM_ENVIRONMENT: STRAY_KEY,
    MM_EVENT_LOG: eventLog,
    MM_OBS_PORT: String(obsPort),
    MM_HALF_SPREAD_BPS: '0.5',
    MM_REQUOTE_TOLERANCE_TICKS: '0',
    MM_MIN_EDGE_BPS: '-10000',
    MM_SHUTDOWN_TIMEOUT_MS: '8000',
    MM_TELEMETRY_FLUSH_TIMEOUT_MS: '3000',
    OTEL_EXPORTER_OTLP_ENDPOINT: otlp,
  };
}

function expectNoSecret(sinks: Sinks): void {
  const forbidden: Record<string, string> = {
    'the API key': API_KEY,
    'the API secret': API_SECRET,
    'part of the API key': API_KEY.slice(0, 12),
    'part of the API secret': API_SECRET.slice(0, 12),
    'the stray key': STRAY_KEY,
    'part of the stray key': STRAY_KEY.slice(0, 12),
    'the URL password': URL_PASSWORD,
  };
  const leaks: string[] = [];
  for (const [sink, text] of Object.entries(sinks)) {
    for (const [what, secret] of Object.entries(forbidden)) if (text.includes(secret)) leaks.push(`${sink} contains ${what}`);
    if (/signature=[0-9a-f]{16,}/.test(text)) leaks.push(`${sink} contains a signature`);
  }
  expect(leaks).toEqual([]);
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'mm-secrets-'));
  sim = await startSimulator({ apiKey: API_KEY, apiSecret: API_SECRET, symbols: ['BTCUSDT'], seed: 9 });
});

afterAll(async () => {
  await sim?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('an exchange error that echoes the signed request', () => {
  it('while trading: reaches no sink unmasked (event log, stdout, stderr, OTLP spans and logs, /metrics)', async () => {
    const proxy = new RestProxy();
    const receiver = new OtlpReceiver();
    try {
      const restUrl = await proxy.start(sim.restUrl);
      const otlp = await receiver.start();
      const port = await freePort();
      const eventLog = join(dir, 'trading.log');
      let orderPosts = 0;
      proxy.echoWhen = (r) => r.method === 'POST' && r.path === '/fapi/v1/order' && ++orderPosts % 3 === 0 && orderPosts <= 9;
      const runner = new RunnerProcess(runnerEnv(restUrl, otlp, eventLog, port));
      await waitFor(
        'three echoed order requests in the event log',
        () => proxy.echoed.length >= 3 && readEvents(eventLog).filter((e) => JSON.stringify(e).includes(ECHO_MARK)).length >= 3,
        60_000,
      );
      const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
      expect(await runner.stop('SIGINT'), runner.stderr.slice(-2000)).toBe(0);
      const sinks: Sinks = {
        eventLog: readFileSync(eventLog, 'utf8'),
        stdout: runner.stdout,
        stderr: runner.stderr,
        otlp: receiver.rawBodies.join('\n'),
        metrics,
      };
      expect(receiver.rawBodies.some((body) => body.includes('"resourceLogs"') && body.includes(ECHO_MARK))).toBe(true);
      expect(sinks.stdout).toContain(ECHO_MARK);
      expect(receiver.spans.some((s) => String(s.attributes['url.full']).includes('127.0.0.1'))).toBe(true);
      expect(metrics).toContain('target_info{');
      expectNoSecret(sinks);
    } finally {
      await proxy.stop();
      await receiver.stop();
    }
  }, 120_000);

  it('at start-up: fails with a masked "mm-runner failed" line on stderr, and no sink carries a secret', async () => {
    const proxy = new RestProxy();
    const receiver = new OtlpReceiver();
    try {
      const restUrl = await proxy.start(sim.restUrl);
      const otlp = await receiver.start();
      const eventLog = join(dir, 'start-up.log');
      // The start-up reconciliation reads the open orders: the gateway refuses it, echoing the request.
      proxy.echoWhen = (r) => r.path === '/fapi/v1/openOrders';
      const runner = new RunnerProcess(runnerEnv(restUrl, otlp, eventLog, await freePort()));
      expect(await runner.exited).toBe(1);
      expect(proxy.echoed.length).toBeGreaterThan(0);
      const sinks: Sinks = {
        eventLog: readFileSync(eventLog, 'utf8'),
        stdout: runner.stdout,
        stderr: runner.stderr,
        otlp: receiver.rawBodies.join('\n'),
        metrics: '',
      };
      expect(sinks.stderr).toMatch(/mm-runner failed: .*Request blocked by policy: GET \/fapi\/v1\/openOrders\?.*signature=/);
      expect(sinks.eventLog).toContain(ECHO_MARK);
      // The failed reconcile span's status message carries the (masked) echo.
      expect(receiver.spans.some((s) => s.name === 'mm.reconcile')).toBe(true);
      expect(receiver.rawBodies.some((body) => body.includes('"resourceSpans"') && body.includes(ECHO_MARK))).toBe(true);
      expect(receiver.rawBodies.some((body) => body.includes('"resourceLogs"') && body.includes(ECHO_MARK))).toBe(true);
      expectNoSecret(sinks);
    } finally {
      await proxy.stop();
      await receiver.stop();
    }
  }, 120_000);
});

describe('a secret pasted into the wrong variable (issue 12 item 7)', () => {
  it('is never echoed by the configuration errors: exit 2, the fields named, no part of the secret on stderr or stdout', async () => {
    const runner = new RunnerProcess({ MM_API_SECRET_FILE: STRAY_KEY, MM_SYMBOLS: `BTCUSDT,${STRAY_KEY}` }, [`--${STRAY_KEY}`, '1']);
    expect(await runner.exited).toBe(2);
    for (const field of ['MM_API_SECRET_FILE', 'MM_SYMBOLS', 'unknown option']) expect(runner.stderr).toContain(field);
    const output = (runner.stderr + runner.stdout).toUpperCase();
    expect(output).not.toContain(STRAY_KEY.slice(0, 8).toUpperCase());
  }, 30_000);
});
