/** Configuration: one schema fed by the environment and the command line. */
export { loadConfig, loadConfigFromProcess, type LoadConfigInput, type LoadConfigResult } from './load.ts';
export { ConfigError, CONFIG_EXIT_CODE, formatConfigError, formatConfigIssues, type ConfigIssue } from './errors.ts';
export { configFields, type ConfigField, type FieldRange } from './fields.ts';
export { configTableMarkdown, helpText, parseCommandLine, type CommandLine } from './cli.ts';
export { knownSecrets, redactedConfig } from './redact.ts';
export { launchedByNpm } from './launch.ts';
export { DEFAULT_ENDPOINTS, type Command, type Config, type ExchangeName, type LogLevel } from './schema.ts';
