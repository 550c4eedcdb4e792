// ESLint for the whole tree, with the rules Temporal's samples give workflow code: no Node
// built-ins and nothing that does I/O inside a workflow module (workflows run in a deterministic
// sandbox, and replaying a recorded history must make the same decisions), and no floating
// promises anywhere (a step or an activity call nobody awaits is a step nobody sees fail).
// Formatting is Prettier's (`npm run format`), so no stylistic rules here.
import { builtinModules } from 'node:module';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = builtinModules.filter((m) => !m.startsWith('_')).flatMap((m) => [m, `${m}/*`, `node:${m}`, `node:${m}/*`]);

export default tseslint.config(
  // The pages' one browser script is plain ES5 for any browser; Prettier still formats it.
  { ignores: ['dist/**', 'data/**', 'node_modules/**', 'coverage/**', 'pages/static/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.mjs', '*.mts'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      // Express 5 handlers and middleware may be async: it forwards their rejections itself.
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // Temporal's generic message types and a few JSON rows are any by nature.
      '@typescript-eslint/no-explicit-any': 'off',
      // A control character is matched on purpose (NUL in input, the PDF's invisible breaks).
      'no-control-regex': 'off',
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            ...nodeBuiltins.map((name) => ({ name, message: 'workflow code runs in a deterministic sandbox: no Node built-ins' })),
            { name: 'zod', message: 'keep zod out of workflow bundles (sdk-typescript#2227): validate in the API and in activities' },
            { name: 'pg', message: 'workflows do no I/O: Postgres belongs to activities' },
            { name: '@temporalio/activity', message: 'activities run outside the workflow sandbox' },
            { name: '@temporalio/client', message: 'workflows talk to Temporal through @temporalio/workflow only' },
            { name: '@temporalio/worker', message: 'workflows talk to Temporal through @temporalio/workflow only' },
          ],
          patterns: [
            {
              group: ['**/activities', '**/activities/*', '**/activities/**', '**/db/*', '**/api/*', '**/config/*'],
              allowTypeImports: true,
              message: 'workflows import activities as types only (proxyActivities), and never the database, the API or the configuration',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      // Tests read JSON answers whose shape the assertions check.
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
);
