/**
 * docker-compose.yml, Dockerfile and .env.example: the compose file validates against the
 * Compose Specification schema, pins its images, mounts only files that exist, gates start-up
 * on health checks, holds no literal secret and gives Grafana no default admin password.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { Ajv } from 'ajv';
import ajvFormats from 'ajv-formats';
import { imageEnvironment } from '../support/dockerfile.ts';
import { isObject, readText, readYaml, repoPath } from './stack-files.ts';

interface Service {
  image?: string;
  build?: string | { context: string };
  init?: boolean;
  command?: string[] | string;
  environment?: Record<string, string | number | boolean | null>;
  ports?: string[];
  volumes?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }> | string[];
  env_file?: unknown;
}
interface Compose {
  services: Record<string, Service>;
  volumes?: Record<string, unknown>;
}

const COMPOSE_TEXT = readText('docker-compose.yml');
const compose = readYaml<Compose>('docker-compose.yml');
const services = compose.services;

/** Resolves compose interpolation the way `docker compose` does with an empty environment. */
export function interpolate(value: string, env: Readonly<Record<string, string>> = {}): string {
  return value.replace(/\$\{([A-Z0-9_]+)(?:(:?[-?])([^}]*))?\}/g, (_m, name: string, op: string | undefined, arg: string | undefined) => {
    const set = env[name];
    if (op === ':-') return set !== undefined && set !== '' ? set : (arg ?? '');
    if (op === '-') return set ?? arg ?? '';
    if (op === ':?' || op === '?') {
      if (set === undefined || (op === ':?' && set === '')) throw new Error(`${name} is required: ${arg ?? ''}`);
      return set;
    }
    return set ?? '';
  });
}

/** Every variable the compose file interpolates. */
function composeVariables(): Set<string> {
  return new Set([...COMPOSE_TEXT.matchAll(/\$\{([A-Z0-9_]+)/g)].map((m) => m[1] ?? ''));
}

function loadSchema(): object {
  const schema = JSON.parse(readFileSync(repoPath('tests/stack/fixtures/compose-spec.json'), 'utf8')) as Record<string, unknown>;
  expect(String(schema.$schema)).toContain('draft-07');
  delete schema.$schema; // Ajv's default meta-schema is draft-07; the https URI form is not registered under that id.
  return schema;
}

function validator(): (data: unknown) => { ok: boolean; errors: string } {
  const ajv = new Ajv({ allErrors: true, strict: false });
  // ajv-formats is CommonJS: its plugin is both module.exports and .default; .default types correctly.
  ajvFormats.default(ajv);
  const validate = ajv.compile(loadSchema());
  return (data) => {
    const ok = validate(data) as boolean;
    return { ok, errors: ajv.errorsText(validate.errors, { separator: '\n' }) };
  };
}

describe('docker-compose.yml', () => {
  it('validates against the Compose Specification schema (and the check can fail)', () => {
    const validate = validator();
    const result = validate(compose);
    expect(result.errors).toBe('No errors');
    expect(result.ok).toBe(true);
    expect(validate({ services: { x: { imagee: 'nginx' } } }).ok).toBe(false);
    expect(validate({ services: { x: { image: 'nginx', depends_on: { y: { condition: 'service_ready' } } } } }).ok).toBe(false);
  });

  it('starts the eight services', () => {
    expect(Object.keys(services).sort()).toEqual(['alertmanager', 'grafana', 'loki', 'otel-collector', 'prometheus', 'runner', 'sim', 'tempo']);
  });

  it('pins every image to an exact version', () => {
    const images = Object.fromEntries(Object.entries(services).map(([name, s]) => [name, s.image ?? '']));
    expect(images['otel-collector']).toBe('otel/opentelemetry-collector-contrib:0.159.0');
    expect(images.prometheus).toMatch(/^prom\/prometheus:v3\.14\.\d+$/);
    expect(images.alertmanager).toMatch(/^prom\/alertmanager:v0\.35\.\d+$/);
    expect(images.loki).toBe('grafana/loki:3.7.6');
    expect(images.tempo).toBe('grafana/tempo:3.0.3');
    expect(images.grafana).toMatch(/^grafana\/grafana:13\.2\.\d+$/);
    for (const [name, image] of Object.entries(images)) expect(image, name).not.toMatch(/:latest$|^[^:]+$/);
  });

  it('runs sim and runner from the project image with an init that forwards signals', () => {
    for (const name of ['sim', 'runner']) {
      const s = services[name] as Service;
      expect(s.build, name).toBe('.');
      expect(s.init, name).toBe(true);
    }
    expect(services.sim?.command).toEqual(['node', 'src/main.ts', 'sim']);
    expect(services.sim?.environment).toMatchObject({ MM_SIM_HOST: '0.0.0.0', MM_SIM_PORT: '8765' });
    expect(services.runner?.command).toEqual(['node', 'src/main.ts']);
    const env = services.runner?.environment ?? {};
    expect(interpolate(String(env.MM_EXCHANGE))).toBe('sim');
    expect(interpolate(String(env.MM_REST_URL))).toBe('http://sim:8765');
    expect(interpolate(String(env.MM_WS_URL))).toBe('ws://sim:8765');
    // With testnet the user's .env overrides them (an empty value selects the built-in endpoint).
    expect(interpolate(String(env.MM_REST_URL), { MM_REST_URL: '' })).toBe('');
    expect(interpolate(String(env.MM_EXCHANGE), { MM_EXCHANGE: 'binance-testnet' })).toBe('binance-testnet');
    // The ops server listens on every interface, as the image sets it (tests/stack/image.test.ts).
    expect({ ...imageEnvironment(), ...env }.MM_OBS_HOST).toBe('0.0.0.0');
    expect(env.OTEL_EXPORTER_OTLP_ENDPOINT).toBe('http://otel-collector:4318');
    expect(String(env.MM_EVENT_LOG)).toMatch(/^\/app\/logs\//);
    expect(services.runner?.volumes).toContain('runner-logs:/app/logs');
  });

  it('publishes Grafana 3000, Prometheus 9090, Alertmanager 9093 and the runner 9199 (on the loopback)', () => {
    expect(services.alertmanager?.ports).toContain('127.0.0.1:9093:9093');
    expect(services.grafana?.ports).toContain('127.0.0.1:3000:3000');
    expect(services.prometheus?.ports).toContain('127.0.0.1:9090:9090');
    expect(services.runner?.ports).toContain('127.0.0.1:9199:9199');
  });

  it('runs Prometheus 3 with exemplar storage and the remote-write receiver', () => {
    const command = services.prometheus?.command ?? [];
    expect(command).toContain('--enable-feature=exemplar-storage');
    expect(command).toContain('--web.enable-remote-write-receiver');
  });

  it('mounts only files and folders that exist', () => {
    const missing: string[] = [];
    let binds = 0;
    for (const [name, s] of Object.entries(services)) {
      for (const volume of s.volumes ?? []) {
        const source = interpolate(volume).split(':')[0] ?? '';
        if (!source.startsWith('.') && !source.startsWith('/')) continue;
        binds += 1;
        if (!existsSync(repoPath(source))) missing.push(`${name}: ${source}`);
      }
    }
    expect(binds).toBeGreaterThanOrEqual(7);
    expect(missing).toEqual([]);
    // The host-runner variant is selected by PROMETHEUS_CONFIG and must exist too.
    const promConfig = (services.prometheus?.volumes ?? []).find((v) => v.includes('/etc/prometheus/prometheus.yml')) ?? '';
    expect(existsSync(repoPath(interpolate(promConfig, { PROMETHEUS_CONFIG: 'prometheus.host-runner.yml' }).split(':')[0] ?? ''))).toBe(true);
  });

  it('declares every named volume it uses', () => {
    const declared = new Set(Object.keys(compose.volumes ?? {}));
    for (const [name, s] of Object.entries(services)) {
      for (const volume of s.volumes ?? []) {
        const source = interpolate(volume).split(':')[0] ?? '';
        if (source.startsWith('.') || source.startsWith('/')) continue;
        expect(declared.has(source), `${name} uses undeclared volume ${source}`).toBe(true);
      }
    }
  });

  it('gates start-up on health checks: every service_healthy dependency has a health check', () => {
    const withHealth = Object.entries(services)
      .filter(([, s]) => s.healthcheck)
      .map(([n]) => n);
    expect(withHealth.sort()).toEqual(['alertmanager', 'grafana', 'loki', 'prometheus', 'runner', 'sim']);
    for (const [name, s] of Object.entries(services)) {
      const deps = s.depends_on ?? {};
      expect(Array.isArray(deps), `${name}: depends_on must state conditions`).toBe(false);
      for (const [dep, spec] of Object.entries(deps as Record<string, { condition: string }>)) {
        expect(services[dep], `${name} depends on unknown ${dep}`).toBeDefined();
        expect(['service_healthy', 'service_started', 'service_completed_successfully']).toContain(spec.condition);
        if (spec.condition === 'service_healthy') expect(services[dep]?.healthcheck, `${name} waits for ${dep} to be healthy`).toBeDefined();
      }
    }
    expect(services.runner?.depends_on).toMatchObject({ sim: { condition: 'service_healthy' } });
    expect(services.grafana?.depends_on).toMatchObject({ prometheus: { condition: 'service_healthy' } });
  });

  it('holds no literal secret', () => {
    const secretKey = /(key|secret|token|password|passwd|signature)/i;
    const offenders: string[] = [];
    for (const [name, s] of Object.entries(services)) {
      for (const [key, value] of Object.entries(s.environment ?? {})) {
        if (!secretKey.test(key)) continue;
        const text = String(value ?? '');
        if (text !== '' && !/^\$\{[A-Z0-9_]+(:?[-?][^}]*)?\}$/.test(text)) offenders.push(`${name}.${key}`);
        if (/:-[^}]/.test(text)) offenders.push(`${name}.${key} has a default value`);
      }
    }
    expect(offenders).toEqual([]);
    expect(COMPOSE_TEXT).not.toMatch(/[A-Za-z0-9]{40,}/); // no key-shaped literal anywhere
  });

  it('gives Grafana no default admin password', () => {
    const env = services.grafana?.environment ?? {};
    const password = String(env.GF_SECURITY_ADMIN_PASSWORD);
    expect(password).toMatch(/^\$\{GF_SECURITY_ADMIN_PASSWORD:\?[^}]+\}$/);
    expect(() => interpolate(password)).toThrow(/required/);
    expect(() => interpolate(password, { GF_SECURITY_ADMIN_PASSWORD: '' })).toThrow(/required/);
    expect(interpolate(password, { GF_SECURITY_ADMIN_PASSWORD: 'from-dotenv' })).toBe('from-dotenv');
    expect(interpolate(String(env.GF_AUTH_ANONYMOUS_ENABLED))).toBe('false');
    expect(env.GF_AUTH_ANONYMOUS_ORG_ROLE).toBe('Viewer');
  });
});

describe('.env.example', () => {
  const text = readText('.env.example');
  const documented = new Set([...text.matchAll(/^#?\s*([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1] ?? ''));

  it('documents every variable the compose file uses', () => {
    const missing = [...composeVariables()].filter((v) => !documented.has(v));
    expect(composeVariables().size).toBeGreaterThan(5);
    expect(missing).toEqual([]);
  });

  it('fills in no secret', () => {
    for (const line of text.split('\n')) {
      const m = /^([A-Z0-9_]+)=(.*)$/.exec(line);
      if (m === null || !/(KEY|SECRET|TOKEN|PASSWORD)/.test(m[1] ?? '')) continue;
      expect(m[2], m[1]).toBe('');
    }
  });

  it('is git-ignored as .env', () => {
    expect(readText('.gitignore').split('\n')).toContain('.env');
  });
});

describe('Dockerfile', () => {
  const text = readText('Dockerfile');
  const instructions = text.split('\n').filter((l) => /^[A-Z]+\s/.test(l));

  it('builds on the Node 24 slim image, production dependencies only', () => {
    expect(instructions.find((l) => l.startsWith('FROM '))).toMatch(/^FROM node:24(\.\d+)*(-[a-z]+)?-slim\b/);
    expect(text).toMatch(/npm ci --omit=dev/);
    expect(text).not.toMatch(/npm (install|i) /);
  });

  it('runs node src/main.ts as a non-root user', () => {
    const user = instructions.filter((l) => l.startsWith('USER ')).at(-1);
    expect(user).toBeDefined();
    expect(user).not.toMatch(/USER\s+(root|0)(:|\s|$)/);
    expect(instructions.at(-1)).toBe('CMD ["node", "src/main.ts"]');
  });

  it('copies only what the image needs (.dockerignore keeps secrets and dev files out)', () => {
    const ignore = readText('.dockerignore')
      .split('\n')
      .map((l) => l.trim());
    for (const entry of ['.env', '.git', 'node_modules', 'logs', 'tests']) expect(ignore).toContain(entry);
    for (const copied of ['package.json', 'package-lock.json', 'src']) expect(existsSync(repoPath(copied))).toBe(true);
    expect(statSync(repoPath('src/main.ts')).isFile()).toBe(true);
  });

  it('has a healthcheck for the node services that needs no curl', () => {
    for (const name of ['sim', 'runner']) {
      const test = services[name]?.healthcheck?.test ?? [];
      expect(test.slice(0, 2)).toEqual(['CMD', 'node']);
    }
    expect(isObject(services.runner?.healthcheck)).toBe(true);
  });
});
