/**
 * Builds the configuration from the environment and the command line. Only this module and
 * its callers' composition root touch process.env: it takes `env` and `argv` as arguments.
 */
import { readFileSync } from 'node:fs';
import { parseCommandLine, helpText } from './cli.ts';
import { ConfigError, type ConfigIssue } from './errors.ts';
import { configFields, fieldByEnv, fieldByKey, fieldLabel, type FieldKey } from './fields.ts';
import { configSchema, type Config } from './schema.ts';

export interface LoadConfigInput {
  /** The environment, e.g. process.env. */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Command-line arguments after the script, e.g. process.argv.slice(2). */
  readonly argv: readonly string[];
  /** Reads a secret file as UTF-8; defaults to fs.readFileSync. */
  readonly readFile?: (path: string) => string;
}

/** Either the help text to print, or a validated configuration. */
export type LoadConfigResult = { readonly kind: 'help'; readonly text: string } | { readonly kind: 'config'; readonly config: Config };

const SECRET_FILES: ReadonlyArray<{ readonly secret: FieldKey; readonly file: FieldKey }> = [
  { secret: 'apiKey', file: 'apiKeyFile' },
  { secret: 'apiSecret', file: 'apiSecretFile' },
];

function label(key: string): string {
  const field = fieldByKey(key);
  return field === undefined ? key : fieldLabel(field);
}

function defaultReadFile(path: string): string {
  return readFileSync(path, 'utf8');
}

/** Returns the MM_* variables as raw values by field key; unknown MM_* names are kept as is (the strict schema rejects them). */
function fromEnvironment(env: LoadConfigInput['env']): Record<string, string> {
  const raw: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('MM_') || value === undefined || value === '') continue;
    raw[fieldByEnv(name)?.key ?? name] = value;
  }
  return raw;
}

/** Replaces MM_*_FILE references by the secrets they hold; returns the problems found. */
function readSecretFiles(raw: Record<string, string>, readFile: (path: string) => string): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const { secret, file } of SECRET_FILES) {
    const path = raw[file];
    if (path === undefined) continue;
    if (raw[secret] !== undefined) {
      issues.push({ field: label(secret), message: `set either ${label(secret)} or ${label(file)}, not both` });
      continue;
    }
    // The path is never echoed: it may be the secret itself, pasted into the wrong variable.
    try {
      const content = readFile(path).trim();
      if (content === '') issues.push({ field: label(file), message: 'the file it names is empty' });
      else raw[secret] = content;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      const shown = typeof code === 'string' && /^E[A-Z]+$/.test(code) ? ` (${code})` : '';
      issues.push({ field: label(file), message: `cannot read the file it names${shown}` });
    }
  }
  return issues;
}

/**
 * Returns the validated configuration (or the help text when asked for).
 * Throws a `ConfigError` listing every problem of the environment and the flags together.
 */
export function loadConfig(input: LoadConfigInput): LoadConfigResult {
  const commandLine = parseCommandLine(input.argv);
  if (commandLine.help) return { kind: 'help', text: helpText() };

  const raw = { ...fromEnvironment(input.env), ...commandLine.values };
  const issues: ConfigIssue[] = [...commandLine.issues, ...readSecretFiles(raw, input.readFile ?? defaultReadFile)];
  for (const field of configFields) {
    if (field.default !== null && raw[field.key] === undefined) raw[field.key] = field.default;
  }

  const result = configSchema(commandLine.command).safeParse(raw);
  if (!result.success) {
    for (const issue of result.error.issues) {
      if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) issues.push({ field: key, message: 'unknown variable (see --help)' });
        continue;
      }
      const key = issue.path[0];
      issues.push({ field: typeof key === 'string' ? label(key) : 'configuration', message: issue.message });
    }
  }
  if (issues.length > 0 || !result.success) throw new ConfigError(issues);
  return { kind: 'config', config: result.data };
}

/** Returns the configuration of this process (process.env and process.argv). */
export function loadConfigFromProcess(): LoadConfigResult {
  return loadConfig({ env: process.env, argv: process.argv.slice(2) });
}
