/**
 * Every shell recipe of README.md, run as written where this machine can run it, and listed with
 * the reason where it cannot (Docker, a Kubernetes cluster, Binance testnet keys: none here).
 *
 * The event log's recipes run on the log of a real short session: `npm run sim` (the standalone
 * simulator, with the documented inherited position so risk events happen, and 10% of REST calls
 * answered 500 so some orders are not accepted) and the runner pointed at it the README's way
 * (MM_REST_URL/MM_WS_URL), started with the README's console recipe `npm start --silent | jq ...`
 * and stopped with a Ctrl-C (SIGINT to npm's process group) once the log holds what every recipe
 * reads. Each jq recipe's output is compared with the same answer computed here from the parsed
 * log, so a recipe that reads a field the log does not have, or counts wrongly, fails.
 * Specification 000's own recipe is run too, to show what README says about it: it counts lines,
 * not events. The pandas recipe needs pandas, which this machine cannot install (PyPI is not
 * reachable): it runs where `python3 -c "import pandas"` works, and otherwise the columns it reads
 * are checked against the log. PromQL, LogQL and TraceQL blocks are run by tests/backends and
 * parsed by tests/stack/query-grammar.test.ts.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../support/prometheus.ts';
import { readEvents, REPO_ROOT, waitFor, type EventLine } from '../support/runner-process.ts';
import { readText } from '../stack/stack-files.ts';

/** One fenced block of README.md. */
interface Block {
  readonly language: string;
  readonly line: number;
  readonly text: string;
  /** Its first line that is not a comment. */
  readonly head: string;
}

function readmeBlocks(): Block[] {
  const out: Block[] = [];
  const lines = readText('README.md').split('\n');
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\S*)\s*$/.exec(lines[i] ?? '');
    if (open === null) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && lines[i] !== '```'; i++) body.push(lines[i] ?? '');
    const head = body.map((l) => l.trim()).find((l) => l !== '' && !l.startsWith('#')) ?? '';
    out.push({ language: open[1] ?? '', line: start + 1, text: body.join('\n'), head });
  }
  return out;
}

/**
 * README shell blocks this machine cannot run, by their first command, with the reason. A block
 * that is neither here nor run below fails the inventory test: a new recipe needs a decision.
 */
const NOT_RUN_HERE: ReadonlyArray<readonly [RegExp, string]> = [
  [/^npm ci && npm start$/, '`npm ci` would reinstall the node_modules this suite runs on; `npm start` itself is run below (console recipe)'],
  [/^apt-get update && apt-get install -y /, 'the command that runs this very suite (CI: .ci/run)'],
  [
    /^npm start -- --shadow /,
    'ways to start the runner: --help, --shadow and a bounded run are run by tests/e2e/cli.test.ts, `npm run sim` with MM_REST_URL/MM_WS_URL below; Binance testnet needs keys and a network this machine does not have',
  ],
  [/^cp \.env\.example \.env$/, 'docker compose: no Docker engine here'],
  [/^docker compose cp /, 'docker compose: no Docker engine here (the event log below comes from a real run instead)'],
  [/^PROMETHEUS_CONFIG=prometheus\.host-runner\.yml docker compose /, 'docker compose: no Docker engine here'],
  [/^MM_EXCHANGE=binance-testnet$/, 'a .env excerpt for Binance testnet: keys and a network this machine does not have'],
  [/^npm run test:faults /, 'suites of their own (test:faults also runs inside npm test)'],
  [/^mkdir -p bin$/, 'takes binaries out of Docker images: no Docker engine here'],
  [
    /^docker build /,
    'docker build and kubectl: no Docker engine and no Kubernetes cluster here (kubectl is not installable either); tests/stack/kubernetes.test.ts checks the manifests they apply and the Secret they create',
  ],
];

/** The blocks run below, by their first command. */
const RUN_HERE = {
  jq: /^jq -c 'select\(\.event == "order_update" and \.status == "FILLED"\)' runner_events\.log \| wc -l$/,
  console: /^npm start --silent \| jq /,
  promtool: /^promtool check rules /,
} as const;

/** Specification 000, section 5 (its jq recipe, as written there). */
const SPEC_000_RECIPE = `jq 'select(.event=="order_update" and .status=="FILLED")' logs/runner_events.log | wc -l`;
/** The example client order id README's recipes use; replaced by a real one of the run. */
const EXAMPLE_ID = 'mm-1x2y3z-b-42';

const blocks = readmeBlocks();
const shell = blocks.filter((b) => b.language === 'sh');
function block(pattern: RegExp): Block {
  const found = shell.filter((b) => pattern.test(b.head));
  if (found.length !== 1) throw new Error(`README.md: ${found.length} sh blocks start with ${pattern}`);
  return found[0] as Block;
}

/** Splits a recipe block into its commands: a comment line starts one, the lines up to the next comment are it. */
function recipes(b: Block): Array<{ comment: string; command: string }> {
  const out: Array<{ comment: string; command: string }> = [];
  for (const line of b.text.split('\n')) {
    if (line.startsWith('#')) out.push({ comment: line.slice(1).trim(), command: '' });
    else if (out.length > 0 && line.trim() !== '') {
      const last = out[out.length - 1] as { comment: string; command: string };
      last.command = last.command === '' ? line : `${last.command}\n${line}`;
    }
  }
  return out;
}

const PATH = [join(REPO_ROOT, 'node_modules', '.bin'), process.env.PATH ?? ''].join(delimiter);
const dir = mkdtempSync(join(tmpdir(), 'mm-recipes-'));
const groups: ChildProcess[] = [];

/** Runs a shell command in `cwd`; returns its exit code and output. */
function sh(command: string, cwd: string, input?: string): { code: number | null; stdout: string; stderr: string } {
  const res = spawnSync('sh', ['-c', command], {
    cwd,
    input,
    encoding: 'utf8',
    env: { PATH, HOME: process.env.HOME ?? dir, LANG: 'C.UTF-8' },
    timeout: 60_000,
  });
  return { code: res.status, stdout: res.stdout, stderr: res.stderr };
}

/** Starts a command as its own process group (as a terminal's foreground job), stdout piped. */
function startGroup(command: string, args: readonly string[], env: Record<string, string>): ChildProcess {
  const child = spawn(command, args, {
    cwd: REPO_ROOT,
    detached: true,
    env: { PATH, HOME: process.env.HOME ?? dir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  groups.push(child);
  return child;
}

function exited(child: ChildProcess): Promise<number | null> {
  return child.exitCode !== null ? Promise.resolve(child.exitCode) : new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** Sends a signal to a process group (a Ctrl-C is SIGINT to the foreground group). */
function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
    try {
      process.kill(-child.pid, signal);
    } catch {
      // already gone
    }
  }
}

const run = {
  events: [] as EventLine[],
  logDir: join(dir, 'run'),
  consoleOut: '',
  consoleErr: '',
  jqCode: null as number | null,
  simUrl: '',
  simEnv: {} as Record<string, string>,
};

function simFaults(body: string): Promise<Response> {
  return fetch(`${run.simUrl}/sim/admin/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
}

function runnerEnv(eventLog: string, prefix: string): Record<string, string> {
  return { MM_REST_URL: run.simUrl, MM_WS_URL: run.simUrl.replace('http://', 'ws://'), MM_OBS_PORT: '0', MM_EVENT_LOG: eventLog, MM_CLIENT_ID_PREFIX: prefix };
}

beforeAll(async () => {
  for (const tool of ['jq', 'promtool', 'amtool'])
    if (spawnSync(tool, ['--version'], { encoding: 'utf8' }).error !== undefined)
      throw new Error(`${tool} is not installed: README's test command installs it (apt-get install jq prometheus prometheus-alertmanager)`);
  mkdirSync(run.logDir, { recursive: true });
  const port = await freePort();
  run.simUrl = `http://127.0.0.1:${port}`;
  // README: `npm run sim` (the simulator alone); the documented inherited short so that the risk
  // recipes have risk events whatever the default start position.
  const sim = startGroup('npm', ['run', 'sim', '--silent'], { MM_SIM_PORT: String(port), MM_SIM_START_POSITION: '-0.040', MM_SIM_SEED: '42' });
  await waitFor(
    'the simulator answers',
    async () => {
      if (sim.exitCode !== null) throw new Error(`npm run sim exited ${sim.exitCode}`);
      return fetch(`${run.simUrl}/fapi/v1/ping`).then(
        (r) => r.ok,
        () => false,
      );
    },
    60_000,
  );

  // The console recipe, as README writes it: npm start --silent | jq ... (jq outside npm's group,
  // as in a terminal it would get the Ctrl-C too; here it must live to flush what it printed).
  const line = block(RUN_HERE.console).head;
  const [npmPart, ...jqParts] = line.split(' | ');
  expect(npmPart).toBe('npm start --silent');
  const eventLog = join(run.logDir, 'runner_events.log');
  const npm = startGroup('npm', ['start', '--silent'], runnerEnv(eventLog, 'mm'));
  const jq = spawn('sh', ['-c', jqParts.join(' | ')], { cwd: dir, env: { PATH }, stdio: ['pipe', 'pipe', 'pipe'] });
  npm.stdout?.pipe(jq.stdin);
  jq.stdout.on('data', (d: Buffer) => (run.consoleOut += d.toString()));
  jq.stderr.on('data', (d: Buffer) => (run.consoleErr += d.toString()));
  const jqDone = exited(jq);

  // Once the runner trades (start-up does not retry a 500), one REST call in ten is answered
  // 500: some orders end "ambiguous", then resolved.
  await waitFor(
    'the first order placed',
    () => {
      if (npm.exitCode !== null) throw new Error(`npm start exited ${npm.exitCode}: ${run.consoleErr}`);
      return readEvents(eventLog).some((e) => e.event === 'order_placed');
    },
    120_000,
    250,
  );
  expect((await simFaults('{"http500Probability":0.1}')).ok).toBe(true);

  // Until the log holds what every recipe reads.
  await waitFor(
    'an event log with fills, accepted and refused orders and risk events',
    () => {
      if (npm.exitCode !== null) throw new Error(`npm start exited ${npm.exitCode}: ${run.consoleErr}`);
      const events = readEvents(eventLog);
      const count = (f: (e: EventLine) => boolean) => events.filter(f).length;
      return (
        count((e) => e.event === 'order_update' && e.status === 'FILLED') >= 2 &&
        count((e) => e.event === 'order_filled' && e.full === true) >= 2 &&
        count((e) => e.event === 'order_submit_result' && e.outcome === 'accepted') >= 5 &&
        count((e) => e.event === 'order_submit_result' && e.outcome !== 'accepted') >= 1 &&
        count((e) => /^(freeze_|risk_)/.test(e.event)) >= 1
      );
    },
    180_000,
    500,
  );
  signalGroup(npm, 'SIGINT'); // Ctrl-C
  await exited(npm);
  await waitFor('runner_stopped in the event log', () => readEvents(eventLog).some((e) => e.event === 'runner_stopped'), 60_000);
  run.jqCode = await jqDone;
  expect((await simFaults('{"http500Probability":0}')).ok).toBe(true);
  run.events = readEvents(eventLog);
  // Specification 000's recipe reads logs/runner_events.log; README's read runner_events.log.
  mkdirSync(join(dir, 'logs'), { recursive: true });
  copyFileSync(eventLog, join(dir, 'logs', 'runner_events.log'));
  copyFileSync(eventLog, join(dir, 'runner_events.log'));
}, 300_000);

afterAll(async () => {
  for (const child of groups) signalGroup(child, 'SIGTERM');
  await Promise.all(groups.map((c) => Promise.race([exited(c), new Promise((r) => setTimeout(r, 15_000))])));
  for (const child of groups) signalGroup(child, 'SIGKILL');
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

/** The JSON values a recipe printed, one per line. */
function jsonLines(text: string): unknown[] {
  return text
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as unknown);
}

function pick(e: EventLine, keys: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((k) => [k, e[k] ?? null]));
}

describe('README.md recipes', () => {
  it('every shell block of README is either run here or listed with the reason it cannot be', () => {
    const run = Object.values(RUN_HERE);
    const unclassified = shell.filter((b) => !run.some((p) => p.test(b.head)) && !NOT_RUN_HERE.some(([p]) => p.test(b.head)));
    expect(unclassified.map((b) => `README.md:${b.line}: ${b.head}`)).toEqual([]);
    for (const pattern of run) expect(() => block(pattern)).not.toThrow();
    // Every reason still matches a block (a stale entry would hide nothing, but mislead).
    for (const [pattern] of NOT_RUN_HERE)
      expect(
        shell.some((b) => pattern.test(b.head)),
        String(pattern),
      ).toBe(true);
  });

  it('the console recipe (npm start --silent | jq -c ...) prints one record per fill, the fills of the event log', () => {
    expect(run.jqCode, run.consoleErr).toBe(0);
    const printed = jsonLines(run.consoleOut) as Array<Record<string, unknown>>;
    const fills = run.events.filter((e) => e.event === 'order_filled');
    expect(fills.length).toBeGreaterThanOrEqual(2);
    expect(printed.map((p) => pick(p as EventLine, ['symbol', 'side', 'price', 'qty']))).toEqual(fills.map((e) => pick(e, ['symbol', 'side', 'price', 'qty'])));
    for (const p of printed) expect(String(p.ts_utc)).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d+Z$/);
  });

  it("without --silent, npm's banner comes first on stdout and jq stops at it with a parse error (why README says --silent)", async () => {
    const eventLog = join(dir, 'banner.events.log');
    const npm = startGroup('npm', ['start', '--', '--iterations', '1'], runnerEnv(eventLog, 'banner'));
    let stdout = '';
    let stderr = '';
    npm.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    npm.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await Promise.race([exited(npm), new Promise<string>((r) => setTimeout(() => r('still running after 60 s'), 60_000))]);
    const last = readEvents(eventLog)
      .slice(-10)
      .map((e) => JSON.stringify(e))
      .join('\n');
    expect(code, `${stderr}\n${last}`).toBe(0);
    expect(stdout.trimStart()).toMatch(/^> mm-runner@[\d.]+ start\n> node src\/main\.ts --iterations 1\n/);
    const piped = sh(`jq -c 'select(.event == "order_filled")'`, dir, stdout);
    expect(piped.code).not.toBe(0);
    expect(piped.stderr).toMatch(/parse error/);
    // The same output without the banner is what --silent prints: every line parses.
    const withoutBanner = stdout
      .split('\n')
      .filter((l) => !l.startsWith('>'))
      .join('\n');
    expect(sh('jq -c .', dir, withoutBanner).code).toBe(0);
  }, 120_000);

  it("specification 000's recipe counts lines of pretty-printed JSON, not fills; README's (jq -c) counts fills, and README says how many lines per event", () => {
    const fills = run.events.filter((e) => e.event === 'order_update' && e.status === 'FILLED');
    const spec = sh(SPEC_000_RECIPE, dir);
    expect(spec.code).toBe(0);
    const linesPerFill = new Set(fills.map((e) => Object.keys(e).length + 2)); // "{", one per field, "}"
    expect(linesPerFill.size).toBe(1);
    const [perFill] = [...linesPerFill];
    expect(Number(spec.stdout.trim())).toBe(fills.length * (perFill ?? 0));
    expect(Number(spec.stdout.trim())).toBeGreaterThan(fills.length);
    const claim = /counts (\d+) lines per `order_update` \((\d+) for (\d+) fills\)/.exec(readText('README.md').replace(/\s+/g, ' '));
    expect(claim).not.toBeNull();
    expect(Number(claim?.[1])).toBe(perFill);
    expect(Number(claim?.[2])).toBe(Number(claim?.[1]) * Number(claim?.[3]));
  });

  it('every jq recipe of "The event log" prints, one JSON value per line, what the log holds', () => {
    const E = run.events;
    const list = recipes(block(RUN_HERE.jq));
    const id = String(E.filter((e) => e.event === 'order_filled').find((f) => E.filter((e) => e.client_id === f.client_id).length >= 3)?.client_id ?? '');
    expect(id).not.toBe('');
    const accepted = E.filter((e) => e.event === 'order_submit_result' && e.outcome === 'accepted')
      .map((e) => Number(e.duration_ms))
      .sort((a, b) => a - b);
    const expected: Record<string, (out: string) => void> = {
      'how many fills (one line per event, so wc -l counts events)': (out) =>
        expect(Number(out.trim())).toBe(E.filter((e) => e.event === 'order_update' && e.status === 'FILLED').length),
      "one order's whole story": (out) => expect(jsonLines(out)).toEqual(E.filter((e) => e.client_id === id)),
      'every order that was not accepted, with its error': (out) => {
        const refused = E.filter((e) => e.event === 'order_submit_result' && e.outcome !== 'accepted');
        expect(refused.length).toBeGreaterThan(0);
        expect(jsonLines(out)).toEqual(refused.map((e) => pick(e, ['ts', 'client_id', 'outcome', 'error', 'error_code'])));
      },
      'submit-to-ack latency percentiles (ms)': (out) =>
        expect(jsonLines(out)).toEqual([
          {
            n: accepted.length,
            p50: accepted[Math.floor(accepted.length * 0.5)],
            p99: accepted[Math.floor(accepted.length * 0.99)],
            max: accepted[accepted.length - 1],
          },
        ]),
      'freezes and risk changes': (out) => {
        const risk = E.filter((e) => /^(freeze_|risk_)/.test(e.event));
        expect(risk.length).toBeGreaterThan(0);
        expect(jsonLines(out)).toEqual(risk.map((e) => pick(e, ['ts', 'event', 'symbol', 'reason'])));
      },
      'events per type': (out) => {
        const rows = out
          .trim()
          .split('\n')
          .map((l) => /^\s*(\d+) (\S+)$/.exec(l))
          .map((m) => [m?.[2] ?? '?', Number(m?.[1])] as const);
        const counts = new Map<string, number>();
        for (const e of E) counts.set(e.event, (counts.get(e.event) ?? 0) + 1);
        expect(new Map(rows)).toEqual(counts);
        const n = rows.map(([, c]) => c);
        expect(n).toEqual([...n].sort((a, b) => b - a));
      },
    };
    expect(list.map((r) => r.comment).sort()).toEqual(Object.keys(expected).sort());
    for (const r of list) {
      expect(r.command, r.comment).toMatch(/^jq -(c|sc|r) /); // one value per line
      const res = sh(r.command.replaceAll(EXAMPLE_ID, id), dir);
      expect(res.code, `${r.comment}: ${res.stderr}`).toBe(0);
      expected[r.comment]?.(res.stdout);
    }
  });

  it('the pandas recipe: runs where pandas is installed; here (no pandas: PyPI is unreachable) the columns it reads are checked against the log', () => {
    const python = blocks.find((b) => b.language === 'python' && b.text.includes('pd.read_json("runner_events.log", lines=True)'));
    expect(python).toBeDefined();
    const code = (python?.text ?? '').replaceAll(EXAMPLE_ID, String(run.events.find((e) => e.event === 'order_filled')?.client_id));
    if (spawnSync('python3', ['-c', 'import pandas'], { encoding: 'utf8' }).status === 0) {
      writeFileSync(join(dir, 'recipe.py'), code);
      const res = sh('python3 recipe.py', dir);
      expect(res.code, res.stderr).toBe(0);
      expect(res.stdout).toContain('fill_rate');
      return;
    }
    // Not runnable here: every column it reads exists on the events it filters.
    const columns = new Set<string>();
    for (const m of code.matchAll(/\b(?:ev|acks)\.(\w+)\b(?!\s*\()/g)) columns.add(m[1] ?? ''); // the DataFrames' columns
    for (const m of code.matchAll(/\[\s*"(\w+)"\s*\]/g)) columns.add(m[1] ?? '');
    for (const m of code.matchAll(/\[\[([^\]]+)\]\]/g)) for (const c of (m[1] ?? '').matchAll(/"(\w+)"/g)) columns.add(c[1] ?? '');
    expect([...columns].sort()).toEqual(['client_id', 'duration_ms', 'event', 'full', 'outcome', 'price', 'qty', 'side', 'ts']);
    const has = (event: string, column: string) => run.events.some((e) => e.event === event && column in e);
    for (const column of ['outcome', 'duration_ms']) expect(has('order_submit_result', column), column).toBe(true);
    expect(has('order_filled', 'full')).toBe(true);
    for (const column of ['ts', 'event', 'side', 'price', 'qty', 'client_id']) expect(has('order_placed', column), column).toBe(true);
    for (const event of code.matchAll(/ev\.event == "(\w+)"/g))
      expect(
        run.events.some((e) => e.event === event[1]),
        event[1],
      ).toBe(true);
    // read_json(lines=True) needs one JSON object per line; to_datetime a parseable ts.
    for (const e of run.events) expect(Number.isNaN(Date.parse(e.ts))).toBe(false);
  });

  it('the rule and routing checks of "Alerts" run as written (promtool and amtool)', () => {
    const out = mkdtempSync(join(dir, 'am-'));
    const commands = block(RUN_HERE.promtool)
      .text.split('\n')
      .filter((l) => l.trim() !== '' && !l.startsWith('#'));
    expect(commands.length).toBe(4);
    for (const command of commands) {
      const [cmd = '', expectation] = command.split(/\s+# -> /);
      const res = sh(cmd.replaceAll('/tmp/am', out), REPO_ROOT);
      expect(res.code, `${cmd}\n${res.stdout}${res.stderr}`).toBe(0);
      if (expectation !== undefined) expect(res.stdout.trim().split('\n')[0], cmd).toBe(expectation.trim());
    }
  });
});
