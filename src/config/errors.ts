/** Configuration errors: every problem found is collected and reported at once. */

/** One problem with one field (or with the command line as a whole). */
export interface ConfigIssue {
  /** "MM_SYMBOLS (--symbols)", "--frobnicate", "command", ... */
  readonly field: string;
  readonly message: string;
}

/** Exit code of the CLI when the configuration is invalid. */
export const CONFIG_EXIT_CODE = 2;

/** The configuration is invalid; `issues` lists every problem found. */
export class ConfigError extends Error {
  readonly code = 'MM_ERR_CONFIG';
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    super(formatConfigIssues(issues));
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

/** Returns the issues as the CLI prints them: "invalid configuration:\n  FIELD: message". */
export function formatConfigIssues(issues: readonly ConfigIssue[]): string {
  return ['invalid configuration:', ...issues.map((issue) => `  ${issue.field}: ${issue.message}`)].join('\n');
}

/** Returns the text the CLI prints for a configuration error. */
export function formatConfigError(error: ConfigError): string {
  return formatConfigIssues(error.issues);
}
