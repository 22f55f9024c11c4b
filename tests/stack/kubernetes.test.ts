/**
 * The Kubernetes manifests (k8s/): every object is checked against the Kubernetes API schemas
 * (kubernetes-models; the PodMonitor against the Prometheus Operator's CRD schema,
 * @kubernetes-models/prometheus-operator) twice: the models' JSON-schema validation (types,
 * required fields, formats) and a TypeScript type check of the object as a literal of its API
 * type, which refuses a field the API does not know (the schemas let unknown fields through;
 * `kubectl apply` refuses them). There is no cluster here. Then the desk's shape: one Deployment
 * per runner (replicas 1, Recreate), two runners with their own name, prefix and symbols, the
 * probes of specification 002 on the ops port the image listens on, keys from a Secret, resource
 * limits, the collector endpoint, the runner's name on its telemetry, and a PodMonitor that
 * labels each runner's series with `job` and `runner` as the alert rules and the dashboard expect.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { PodMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor';
import { loadConfig } from '../../src/config/index.ts';
import { imageEnvironment } from '../support/dockerfile.ts';
import { alertRules, readText, readYaml, repoPath, ROOT } from './stack-files.ts';

export const MANIFEST_DIR = 'k8s';

interface KindModel {
  /** The module and type name of the object's API type, for the type check. */
  readonly module: string;
  readonly type: string;
  /** Validates against the JSON schema; throws with the problems. */
  validate(doc: Record<string, unknown>): void;
}

const KINDS: Readonly<Record<string, KindModel>> = {
  'v1/Namespace': { module: 'kubernetes-models/v1/Namespace', type: 'INamespace', validate: (d) => new Namespace(d).validate() },
  'apps/v1/Deployment': { module: 'kubernetes-models/apps/v1/Deployment', type: 'IDeployment', validate: (d) => new Deployment(d).validate() },
  'monitoring.coreos.com/v1/PodMonitor': {
    module: '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PodMonitor',
    type: 'IPodMonitor',
    validate: (d) => new PodMonitor(d as unknown as IPodMonitor).validate(),
  },
};

interface Manifest {
  readonly where: string;
  readonly doc: Record<string, unknown>;
}

/** Every YAML document of every file under k8s/. */
function manifests(): Manifest[] {
  const out: Manifest[] = [];
  for (const file of readdirSync(repoPath(MANIFEST_DIR)).sort()) {
    if (!/\.ya?ml$/.test(file)) continue;
    parseAllDocuments(readText(`${MANIFEST_DIR}/${file}`)).forEach((d, i) => {
      if (d.errors.length > 0) throw new Error(`${file}: ${d.errors.map((e) => e.message).join('; ')}`);
      const doc = d.toJS() as Record<string, unknown> | null;
      if (doc !== null) out.push({ where: `${file}#${i}`, doc });
    });
  }
  return out;
}

function kindOf(doc: Record<string, unknown>): string {
  return `${String(doc.apiVersion)}/${String(doc.kind)}`;
}

/** Returns the problems of each manifest against the models' JSON schemas. */
function schemaProblems(list: readonly Manifest[]): string[] {
  const problems: string[] = [];
  for (const m of list) {
    const model = KINDS[kindOf(m.doc)];
    if (model === undefined) {
      problems.push(`${m.where}: no schema for ${kindOf(m.doc)}`);
      continue;
    }
    try {
      model.validate(m.doc);
    } catch (error) {
      problems.push(`${m.where}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return problems;
}

/**
 * Type-checks each manifest as an object literal of its API type (excess property checks find
 * unknown fields at any depth); returns TypeScript's messages.
 */
function typeProblems(list: readonly Manifest[]): string[] {
  const fileName = join(ROOT, 'tests', 'stack', '__k8s_manifests__.ts');
  const lines: string[] = [];
  const where: string[] = [];
  list.forEach((m, i) => {
    const model = KINDS[kindOf(m.doc)];
    if (model === undefined) return;
    lines.push(`import type { ${model.type} as T${i} } from '${model.module}';`);
    lines.push(`export const m${i}: T${i} = ${JSON.stringify(m.doc)};`);
    where[lines.length] = m.where;
  });
  const source = lines.join('\n');
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    skipLibCheck: true,
    noEmit: true,
    types: [],
  };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, language, onError, create) =>
    name === fileName ? ts.createSourceFile(name, source, language) : getSourceFile(name, language, onError, create);
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => name === fileName || fileExists(name);
  const program = ts.createProgram([fileName], options, host);
  return ts
    .getPreEmitDiagnostics(program)
    .filter((d) => d.file?.fileName === fileName || d.file === undefined)
    .map((d) => {
      const line = d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : 0;
      return `${where[line] ?? `line ${line}`}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
    });
}

const all = manifests();
const deployments = all.filter((m) => kindOf(m.doc) === 'apps/v1/Deployment').map((m) => m.doc as unknown as IDeployment);
const podMonitors = all.filter((m) => kindOf(m.doc) === 'monitoring.coreos.com/v1/PodMonitor').map((m) => m.doc as unknown as IPodMonitor);

function runnerContainer(d: IDeployment): IContainer {
  const container = d.spec?.template.spec?.containers.find((c) => c.name === 'runner');
  if (container === undefined) throw new Error(`${d.metadata?.name}: no container named runner`);
  return container;
}

/** The container's literal environment (valueFrom entries are not literals). */
function envOf(container: IContainer): Record<string, string> {
  const env: Record<string, string> = {};
  for (const e of container.env ?? []) if (e.value !== undefined) env[e.name] = e.value;
  return env;
}

function copy<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

describe('k8s/: the manifests against the Kubernetes API schemas', () => {
  it('every object is a known kind, valid against its schema, with no field its API does not have', () => {
    expect(all.map((m) => kindOf(m.doc)).sort()).toEqual(['apps/v1/Deployment', 'apps/v1/Deployment', 'monitoring.coreos.com/v1/PodMonitor', 'v1/Namespace']);
    expect(schemaProblems(all)).toEqual([]);
    expect(typeProblems(all)).toEqual([]);
  });

  it('the checks catch a field of the wrong type, a misspelt field, a missing required field and an unknown kind', () => {
    const [first] = deployments;
    expect(first).toBeDefined();
    const wrongType = copy(first) as unknown as { spec: { replicas: unknown } };
    wrongType.spec.replicas = '1';
    expect(schemaProblems([{ where: 'replicas', doc: wrongType as unknown as Record<string, unknown> }]).join()).toMatch(/replicas must be integer/);

    const misspelt = copy(first) as unknown as IDeployment;
    const probe = misspelt.spec?.template.spec?.containers[0]?.livenessProbe as Record<string, unknown>;
    probe.initialDelaySecond = probe.initialDelaySeconds;
    delete probe.initialDelaySeconds;
    const doc = misspelt as unknown as Record<string, unknown>;
    expect(schemaProblems([{ where: 'typo', doc }])).toEqual([]); // the JSON schema lets it through...
    expect(typeProblems([{ where: 'typo', doc }]).join()).toMatch(/initialDelaySecond/); // ...the type check does not

    const noSelector = copy(podMonitors[0]) as unknown as { spec: Record<string, unknown> };
    delete noSelector.spec.selector;
    expect(schemaProblems([{ where: 'podmonitor', doc: noSelector as unknown as Record<string, unknown> }]).join()).toMatch(/selector/);

    expect(schemaProblems([{ where: 'x', doc: { apiVersion: 'v1', kind: 'Frobnicator' } }])).toEqual(['x: no schema for v1/Frobnicator']);
  }, 60_000);
});

describe('k8s/: a desk of runners, one Deployment each', () => {
  it('two runners, each replicas 1 and strategy Recreate, with their own name, client-id prefix and symbols', () => {
    expect(deployments.length).toBe(2);
    const seen = { names: new Set<string>(), prefixes: new Set<string>(), symbols: new Set<string>() };
    for (const d of deployments) {
      const name = d.metadata?.name ?? '';
      expect(d.spec?.replicas, name).toBe(1);
      expect(d.spec?.strategy, name).toEqual({ type: 'Recreate' });
      const env = envOf(runnerContainer(d));
      expect(seen.names.has(name), name).toBe(false);
      expect(seen.prefixes.has(env.MM_CLIENT_ID_PREFIX ?? ''), `${name}: prefix ${env.MM_CLIENT_ID_PREFIX}`).toBe(false);
      seen.names.add(name);
      seen.prefixes.add(env.MM_CLIENT_ID_PREFIX ?? '');
      for (const symbol of (env.MM_SYMBOLS ?? '').split(',')) {
        expect(seen.symbols.has(symbol), `${name}: ${symbol} is quoted by two runners`).toBe(false);
        seen.symbols.add(symbol);
      }
    }
  });

  it("each runner's pods carry its name (app.kubernetes.io/instance), and so does its telemetry (OTEL_RESOURCE_ATTRIBUTES service.instance.id)", () => {
    for (const d of deployments) {
      const name = d.metadata?.name ?? '';
      const labels = d.spec?.template.metadata?.labels ?? {};
      expect(labels['app.kubernetes.io/name'], name).toBe('mm-runner');
      expect(labels['app.kubernetes.io/instance'], name).toBe(name);
      for (const [k, v] of Object.entries(d.spec?.selector.matchLabels ?? {})) expect(labels[k], `${name} selector ${k}`).toBe(v);
      expect(d.spec?.selector.matchLabels?.['app.kubernetes.io/instance'], name).toBe(name);
      const attributes = new Map((envOf(runnerContainer(d)).OTEL_RESOURCE_ATTRIBUTES ?? '').split(',').map((kv) => kv.split('=', 2) as [string, string]));
      expect(attributes.get('service.instance.id'), name).toBe(name);
    }
  });

  it("each runner's configuration is one the runner accepts, with the image's environment, and its ops server listens on every interface at the container's ops port", () => {
    for (const d of deployments) {
      const name = d.metadata?.name ?? '';
      const container = runnerContainer(d);
      const env = { ...imageEnvironment(), ...envOf(container) };
      const files: Record<string, string> = {};
      const result = loadConfig({
        argv: [],
        env,
        readFile: (path) => {
          files[path] = 'read';
          return `${name}-secret-from-${path}`;
        },
      });
      expect(result.kind, name).toBe('config');
      if (result.kind !== 'config') continue;
      const config = result.config;
      expect(config.obs.host, name).toBe('0.0.0.0');
      const ops = container.ports?.find((p) => p.name === 'ops');
      expect(ops?.containerPort, name).toBe(config.obs.port);
      expect(config.exchange, name).not.toBe('sim');
      expect(Object.keys(files).sort(), name).toEqual([env.MM_API_KEY_FILE, env.MM_API_SECRET_FILE].sort());
      // A graceful stop (cancel everything, flush) fits in the grace period before SIGKILL.
      const grace = d.spec?.template.spec?.terminationGracePeriodSeconds ?? 30;
      expect(grace * 1000, name).toBeGreaterThan(config.shutdownTimeoutMs + config.telemetryFlushTimeoutMs);
    }
  });

  it("probes are specification 002's: liveness /health (5 s delay, every 10 s), readiness /ready (10 s delay, every 5 s), on the ops port", () => {
    for (const d of deployments) {
      const c = runnerContainer(d);
      expect(c.livenessProbe, d.metadata?.name).toMatchObject({ httpGet: { path: '/health', port: 'ops' }, initialDelaySeconds: 5, periodSeconds: 10 });
      expect(c.readinessProbe, d.metadata?.name).toMatchObject({ httpGet: { path: '/ready', port: 'ops' }, initialDelaySeconds: 10, periodSeconds: 5 });
    }
  });

  it('API keys come from a Secret mounted read-only as files, never from a literal; requests and limits are set for CPU and memory', () => {
    for (const d of deployments) {
      const name = d.metadata?.name ?? '';
      const c = runnerContainer(d);
      const env = envOf(c);
      for (const e of c.env ?? []) expect(e.name, `${name}: ${e.name}`).not.toMatch(/^MM_(API_KEY|API_SECRET|SIM_API_KEY|SIM_API_SECRET)$/);
      for (const file of [env.MM_API_KEY_FILE ?? '', env.MM_API_SECRET_FILE ?? '']) {
        const mount = c.volumeMounts?.find((m) => file.startsWith(`${m.mountPath}/`));
        expect(mount?.readOnly, `${name}: ${file}`).toBe(true);
        const volume = d.spec?.template.spec?.volumes?.find((v) => v.name === mount?.name);
        expect(volume?.secret?.secretName, `${name}: ${file}`).toMatch(/\S/);
        expect((volume?.secret?.defaultMode ?? 0o644) & 0o007, `${name}: others cannot read the keys`).toBe(0);
      }
      for (const resource of ['cpu', 'memory']) {
        expect(c.resources?.requests?.[resource], `${name} request ${resource}`).toBeDefined();
        expect(c.resources?.limits?.[resource], `${name} limit ${resource}`).toBeDefined();
      }
      expect(d.spec?.template.spec?.securityContext?.runAsNonRoot, name).toBe(true);
      expect(c.securityContext?.readOnlyRootFilesystem, name).toBe(true);
      // The figures README gives.
      const figures = /requests of (\S+) CPU and (\d+) MiB, limits of (\S+) CPU and (\d+) MiB/.exec(readText('README.md').replace(/\s+/g, ' '));
      expect(figures, 'README states the requests and limits').not.toBeNull();
      expect([c.resources?.requests?.cpu, c.resources?.requests?.memory, c.resources?.limits?.cpu, c.resources?.limits?.memory], name).toEqual([
        figures?.[1],
        `${figures?.[2]}Mi`,
        figures?.[3],
        `${figures?.[4]}Mi`,
      ]);
      // README's command creates that Secret, in that namespace, with the keys the files are named after.
      const secret = d.spec?.template.spec?.volumes?.find((v) => v.secret !== undefined)?.secret?.secretName ?? '';
      const create = readText('README.md')
        .split('\n')
        .find((l) => l.startsWith(`kubectl create secret generic ${secret} `));
      expect(create, `${name}: README creates ${secret}`).toBeDefined();
      expect(create).toContain(`-n ${d.metadata?.namespace} `);
      for (const file of [env.MM_API_KEY_FILE ?? '', env.MM_API_SECRET_FILE ?? '']) expect(create).toContain(`--from-file=${file.split('/').at(-1)}=`);
    }
  });

  it("traces and logs go to the collector's OTLP/HTTP port", () => {
    const collector = readYaml<{ receivers: { otlp: { protocols: { http: { endpoint: string } } } } }>('otel/collector.yaml');
    const port = new URL(`tcp://${collector.receivers.otlp.protocols.http.endpoint}`).port;
    for (const d of deployments) {
      const endpoint = new URL(envOf(runnerContainer(d)).OTEL_EXPORTER_OTLP_ENDPOINT ?? '');
      expect(endpoint.protocol, d.metadata?.name).toBe('http:');
      expect(endpoint.port, d.metadata?.name).toBe(port);
    }
  });

  it('the PodMonitor scrapes every runner\'s ops port and labels its series job="mm-runner" (as the rules select) and runner=<its name>', () => {
    expect(podMonitors.length).toBe(1);
    const pm = podMonitors[0];
    const selector = pm?.spec.selector.matchLabels ?? {};
    expect(Object.keys(selector).length).toBeGreaterThan(0);
    for (const d of deployments) {
      const labels = d.spec?.template.metadata?.labels ?? {};
      for (const [k, v] of Object.entries(selector)) expect(labels[k], `${d.metadata?.name} is selected by ${k}`).toBe(v);
      expect(pm?.metadata?.namespace).toBe(d.metadata?.namespace);
      const endpoint = pm?.spec.podMetricsEndpoints?.[0];
      expect(runnerContainer(d).ports?.map((p) => p.name)).toContain(endpoint?.port);
      // jobLabel: the job is the value of this pod label.
      expect(labels[pm?.spec.jobLabel ?? '']).toBe('mm-runner');
    }
    expect(alertRules().find((r) => r.name === 'MMRunnerDown')?.expr).toContain('job="mm-runner"');
    const endpoint = pm?.spec.podMetricsEndpoints?.[0];
    expect(endpoint?.path).toBe('/metrics');
    expect(endpoint?.interval).toBe('15s'); // specification 002's scrape job
    expect(endpoint?.relabelings).toContainEqual(
      expect.objectContaining({ sourceLabels: ['__meta_kubernetes_pod_label_app_kubernetes_io_instance'], targetLabel: 'runner' }),
    );
  });
});
