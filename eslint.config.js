// Lint rules, including the architecture's dependency rule (see ARCHITECTURE in README).
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const outsideCore = ['**/exchange/**', '**/sim/**', '**/runner/**', '**/telemetry/**', '**/config/**', '**/cli/**', '**/main.ts'];
// Reading the environment by another door than src/config: `import { env } from 'node:process'`.
const processModule = { group: ['node:process', 'process'], message: 'Only src/config reads the process environment; take what you need as an argument.' };
const globalProcess = { object: 'globalThis', property: 'process', message: 'Only src/config reads the process environment.' };
const noTimers = [
  { name: 'setTimeout', message: 'Time is injected: use the Clock (core/clock.ts) passed in.' },
  { name: 'setInterval', message: 'Time is injected: use every() on the Clock passed in.' },
];
const timersModule = {
  group: ['node:timers', 'node:timers/*', 'timers', 'timers/*'],
  message: 'Time is injected: use sleep() or setTimer() on the Clock passed in.',
};
const noParseFloat = {
  selector: "CallExpression[callee.name='parseFloat']",
  message: 'Money is never a float: parse into ticks/steps (src/core/instrument.ts).',
};
// The clock modules are the only ones that read the machine's time or set a timer (ARCHITECTURE "Time is injected").
const CLOCK_MODULES = ['src/runner/clocks.ts', 'src/sim/wall-clock.ts'];

export default tseslint.config(
  { ignores: ['node_modules/**', 'logs/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: false } },
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-syntax': ['error', noParseFloat],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/telemetry/**', 'src/config/**'],
    rules: {
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Only src/config reads process.env.' }, globalProcess],
    },
  },
  {
    files: ['src/telemetry/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [processModule] }] },
  },
  {
    files: ['src/config/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@opentelemetry/sdk-*', '@opentelemetry/exporter-*', '@opentelemetry/resources'],
              message: 'Only telemetry/ imports the OpenTelemetry SDK.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/**/*.ts'],
    ignores: ['src/telemetry/**', 'src/config/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@opentelemetry/sdk-*', '@opentelemetry/exporter-*', '@opentelemetry/resources'],
              message: 'Only telemetry/ imports the OpenTelemetry SDK; use @opentelemetry/api.',
            },
            processModule,
          ],
        },
      ],
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: outsideCore, message: 'core imports nothing outside core.' },
            { group: ['node:*', 'undici', 'ws', '@opentelemetry/*', 'zod'], message: 'core is pure: no I/O and no SDKs.' },
            processModule,
          ],
        },
      ],
      'no-restricted-globals': [
        'error',
        { name: 'process', message: 'core receives configuration as arguments.' },
        { name: 'setTimeout', message: 'core has no timers.' },
        { name: 'setInterval', message: 'core has no timers.' },
      ],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Time is injected: take `now` as an argument.' },
        { object: 'performance', property: 'now', message: 'Time is injected.' },
        globalProcess,
      ],
    },
  },
  {
    files: ['src/exchange/**/*.ts', 'src/sim/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/runner/**', '**/telemetry/**', '**/config/**', '**/cli/**', '**/main.ts'], message: 'exchange and sim import only core.' },
            { group: ['@opentelemetry/sdk-*', '@opentelemetry/exporter-*'], message: 'Only telemetry/ sets up the SDK.' },
            processModule,
          ],
        },
      ],
    },
  },
  {
    files: ['src/exchange/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/sim/**', '**/runner/**', '**/telemetry/**', '**/config/**', '**/cli/**', '**/main.ts'], message: 'exchange imports only core.' },
            { group: ['@opentelemetry/sdk-*', '@opentelemetry/exporter-*'], message: 'Only telemetry/ sets up the SDK.' },
            processModule,
          ],
        },
      ],
    },
  },
  {
    files: ['src/sim/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/exchange/**', '**/runner/**', '**/telemetry/**', '**/config/**', '**/cli/**', '**/main.ts'],
              message: "sim imports only core (it must not share the adapter's wire code, or they could drift together).",
            },
            { group: ['@opentelemetry/*'], message: 'The simulator is not instrumented.' },
            processModule,
          ],
        },
      ],
    },
  },
  {
    files: ['src/runner/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/exchange/**', '**/sim/**'],
              message: 'The runner trades through the Venue port (core/venue.ts); app.ts picks the concrete venue.',
            },
            timersModule,
            {
              group: ['@opentelemetry/sdk-*', '@opentelemetry/exporter-*', '@opentelemetry/resources'],
              message: 'Only telemetry/ imports the OpenTelemetry SDK.',
            },
            processModule,
          ],
        },
      ],
    },
  },
  {
    // Everywhere else in src (core and runner have their own rules above and below).
    files: ['src/**/*.ts'],
    ignores: ['src/core/**', 'src/runner/**', ...CLOCK_MODULES],
    rules: {
      'no-restricted-globals': ['error', ...noTimers],
      'no-restricted-syntax': [
        'error',
        noParseFloat,
        { selector: "MemberExpression[object.name='Date'][property.name='now']", message: 'Time is injected: use the Clock passed in.' },
        { selector: "MemberExpression[object.name='performance'][property.name=/^(now|timeOrigin)$/]", message: 'Time is injected: use the Clock passed in.' },
        { selector: 'ImportDeclaration[source.value=/^(node:)?timers(\\u002F.*)?$/]', message: timersModule.message },
      ],
    },
  },
  {
    files: ['src/runner/**/*.ts'],
    ignores: ['src/runner/clocks.ts'],
    rules: {
      'no-restricted-globals': ['error', ...noTimers],
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Time is injected: use the Clock passed in.' },
        { object: 'performance', property: 'now', message: 'Time is injected: use the Clock passed in.' },
        { object: 'performance', property: 'timeOrigin', message: 'Time is injected: use the Clock passed in.' },
        { object: 'process', property: 'env', message: 'Only src/config reads process.env.' },
        globalProcess,
      ],
    },
  },
);
