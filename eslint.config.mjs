// The rules the build enforces (npm run lint:eslint): typescript-eslint's recommended set, consistent type imports,
// and the layering of issue 16 §3: src/core and src/cli never import vscode or src/vscode; a webview page script
// imports only its own view's files, the webview helpers in src/webview/shared, and its protocol as types.
// Import cycles are checked by scripts/import-cycles.mjs (npm run lint:cycles), which also sees type-only cycles
// (eslint-plugin-import-x's no-cycle skips those).
// Untyped on purpose: typed linting (recommendedTypeChecked) took 36 s of CPU and 1 GB against 11 s and 0.4 GB, and
// tsc already checks the types.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const noVscode = {
  paths: [{ name: 'vscode', message: 'src/core and src/cli run without VS Code (the CLI, the tests): pass what you need in from src/vscode.' }],
  patterns: [{ regex: '(^|/)vscode/', message: 'src/core and src/cli never import src/vscode: move what both need into src/core.' }],
};

export default tseslint.config(
  { ignores: ['out/**', 'dist/**', 'node_modules/**', '.test-run/**', 'test/vscode/fixture-ext/**', 'test/vscode/code-server-launcher.js'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'separate-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      'no-irregular-whitespace': ['error', { skipComments: true }],
      // A variable a callback reads before its one assignment (a child process the callback kills) stays a let.
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
    },
  },
  {
    // Tests read engines' loose JSON and load built bundles at run time.
    files: ['test/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    files: ['src/core/**/*.ts', 'src/cli/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', noVscode] },
  },
  {
    files: ['src/webview/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '^(?!\\./|\\.\\./shared/)',
              message: "A webview page runs in the browser: import only its own view's files (./…), ../shared/…, and its ./protocol as types.",
            },
          ],
        },
      ],
    },
  },
  {
    files: ['src/webview/*/main.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: "ImportDeclaration[importKind!='type'][source.value='./protocol']",
          message: 'The protocol is shared with the host: import its types only (import type).',
        },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly', require: 'readonly', module: 'writable', __dirname: 'readonly' } },
  },
);
