// Lint rules of the house. `npm run lint` runs this and prettier's check; `npm test` runs lint first.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

export default tseslint.config(
  {
    ignores: [
      'dist/',
      '**/node_modules/',
      '**/.tools/',
      '.onramp/',
      'test-output/',
      'test/fixtures/histories/',
      'bench/results/',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      // `require` stays for the few places that load a module on demand from CommonJS (src/local-org.ts).
      '@typescript-eslint/no-require-imports': 'off',
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@onramp/local-org/*', '**/packages/local-org/**'],
              message: 'the local org has one door: import @onramp/local-org',
            },
          ],
        },
      ],
    },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox, as in temporalio/samples-typescript: no Node
    // built-ins, and nothing that does I/O, reads clocks or draws randomness behind the SDK's back.
    files: ['src/workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            ...nodeBuiltins.map((name) => ({ name, message: 'workflow code cannot use Node built-ins' })),
            ...[
              '@temporalio/activity',
              '@temporalio/client',
              '@temporalio/worker',
              'jsforce',
              'node-forge',
              'pino',
            ].map((name) => ({ name, message: 'workflows only orchestrate: side effects belong in activities' })),
          ],
        },
      ],
    },
  },
  {
    // Inside the local org package its own modules are fair game; onramp's are not (test/structure checks).
    files: ['packages/local-org/**/*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    // Tests read untyped wire responses (JSON, SOAP) and poke at them.
    files: ['test/**/*.ts', 'packages/*/test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/*.mjs', 'bin/*'],
    languageOptions: { globals: { ...globals.node } },
  },
);
