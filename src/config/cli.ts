/**
 * Command-line parsing: the sub-command, `--help`, and one flag per configuration field.
 * Every problem (unknown flag, missing value, refused secret) becomes a `ConfigIssue` so that
 * it is reported together with the schema's findings. Values of refused or unknown flags are
 * never echoed: a secret typed on the command line must not reach the terminal or a log.
 */
import { parseArgs } from 'node:util';
import type { ConfigIssue } from './errors.ts';
import { configFields, fieldByEnv, fieldByFlag } from './fields.ts';
import type { Command } from './schema.ts';

/** What the command line asked for. */
export interface CommandLine {
  readonly command: Command;
  readonly help: boolean;
  /** Values given as flags, by field key, as strings ("true"/"false" for booleans). */
  readonly values: Readonly<Record<string, string>>;
  readonly issues: readonly ConfigIssue[];
}

const COMMANDS: readonly Command[] = ['run', 'sim'];

type OptionSpec = { type: 'string' } | { type: 'boolean'; short?: string };

function optionSpecs(): Record<string, OptionSpec> {
  const options: Record<string, OptionSpec> = { help: { type: 'boolean', short: 'h' } };
  for (const field of configFields) {
    if (field.kind === 'value') options[field.flag] = { type: 'string' };
    if (field.kind === 'boolean') options[field.flag] = { type: 'boolean' };
  }
  return options;
}

const OPTIONS = optionSpecs();

/** Returns a command name safe to echo: short and plainly not a credential. */
function echoable(text: string): string | null {
  return /^[a-z][a-z-]{0,15}$/i.test(text) ? text : null;
}

/** Returns an unknown option's name safe to echo (short, plainly a flag name), or null: it may be a pasted credential. */
function echoableOption(rawName: string): string | null {
  return /^--?[a-z][a-z0-9-]{0,39}$/i.test(rawName) && !/[0-9].*[0-9].*[0-9]/.test(rawName) ? rawName : null;
}

/** Returns the sub-command, help request, flag values and every problem with `argv`. */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  const issues: ConfigIssue[] = [];
  const values: Record<string, string> = {};
  let command: Command | null = null;
  let help = false;
  let tokens;
  try {
    ({ tokens } = parseArgs({ args: [...argv], options: OPTIONS, strict: false, allowPositionals: true, allowNegative: true, tokens: true }));
  } catch (error) {
    return { command: 'run', help: false, values, issues: [{ field: 'command line', message: error instanceof Error ? error.message : 'cannot be parsed' }] };
  }

  let swallowNextPositional = false;
  let extraPositionals = 0;
  for (const token of tokens) {
    if (token.kind === 'option-terminator') continue;
    if (token.kind === 'positional') {
      if (swallowNextPositional) {
        swallowNextPositional = false;
        continue;
      }
      if (command === null && extraPositionals === 0) {
        const asCommand = COMMANDS.find((name) => name === token.value);
        if (asCommand !== undefined) {
          command = asCommand;
          continue;
        }
        const shown = echoable(token.value);
        issues.push({ field: 'command', message: `${shown === null ? 'unknown command' : `unknown command "${shown}"`} (expected ${COMMANDS.join(' or ')})` });
      } else {
        issues.push({ field: 'command line', message: `unexpected argument at position ${token.index + 1}` });
      }
      extraPositionals += 1;
      continue;
    }
    swallowNextPositional = false;
    if (token.name === 'help' || token.name === 'h') {
      help = true;
      continue;
    }
    const field = fieldByFlag(token.name);
    if (field === undefined || field.kind === 'secret') {
      // Without an inline value, the next positional is this flag's value: drop it unseen.
      swallowNextPositional = !token.inlineValue;
      issues.push(
        field === undefined
          ? { field: echoableOption(token.rawName) ?? 'command line', message: 'unknown option (see --help)' }
          : {
              field: token.rawName,
              message: `secrets are not accepted on the command line (it is visible in ps and in telemetry): set ${field.env}${fieldByEnv(`${field.env}_FILE`) ? ` or ${field.env}_FILE` : ''}`,
            },
      );
      continue;
    }
    if (field.kind === 'boolean') {
      values[field.key] = token.rawName.startsWith('--no-') ? 'false' : (token.value ?? 'true');
      continue;
    }
    if (token.value === undefined || (!token.inlineValue && token.value.startsWith('--'))) {
      issues.push({ field: `${field.env} (--${field.flag})`, message: `--${field.flag} requires a value` });
      continue;
    }
    values[field.key] = token.value;
  }
  return { command: command ?? 'run', help, values, issues };
}

/** Returns the `--help` text, listing every option with its variable and default. */
export function helpText(): string {
  const lines = [
    'Usage: mm-runner [run|sim] [options]',
    '',
    'Commands:',
    '  run   run the market maker (default)',
    '  sim   run the standalone Binance-compatible simulator',
    '',
    'Every option can also be set with its environment variable; a flag wins over the variable.',
    'Boolean options accept --name, --no-name or --name=true|false.',
    '',
    'Options:',
    '  -h, --help',
    '      Print this text.',
  ];
  for (const field of configFields) {
    const name =
      field.kind === 'secret'
        ? `${field.env} (environment only, never a flag)`
        : field.kind === 'boolean'
          ? `--[no-]${field.flag}  ${field.env}`
          : `--${field.flag} <value>  ${field.env}`;
    const fallback = field.default === null ? '' : ` (default: ${field.default})`;
    lines.push(`  ${name}`, `      ${field.description}${fallback}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Returns the README's configuration table (Markdown), one row per field in `--help` order. */
export function configTableMarkdown(): string {
  const cell = (text: string): string => text.replace(/\|/g, '\\|');
  const rows = configFields.map((field) => {
    const flag =
      field.kind === 'secret' ? '(environment only)' : field.kind === 'boolean' ? `\`--${field.flag}\` / \`--no-${field.flag}\`` : `\`--${field.flag}\``;
    const fallback = field.default === null ? '—' : `\`${field.default}\``;
    return `| \`${field.env}\` | ${flag} | ${fallback} | ${cell(field.description)} |`;
  });
  return ['| Variable | Flag | Default | Meaning |', '|---|---|---|---|', ...rows].join('\n') + '\n';
}
