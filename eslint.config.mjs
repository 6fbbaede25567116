// ESLint over the page (web/) and the JavaScript tests (tests/browser, tests/web): `make
// test-web`. ESLint and its rule set are npm devDependencies of tests/browser, beside the
// browser test tools, so they are taken from there.
import { createRequire } from 'node:module';

const require = createRequire(new URL('./tests/browser/package.json', import.meta.url));
const js = require('@eslint/js');
const globals = require('globals');

export default [
  { ignores: ['**/node_modules/**', 'build*/**', 'bench/**'] },
  js.configs.recommended,
  {
    files: ['web/**/*.js'],
    languageOptions: { ecmaVersion: 2024, sourceType: 'module', globals: globals.browser },
  },
  {
    // Node test files whose page.evaluate() callbacks run in the browser.
    files: ['tests/browser/**/*.js'],
    languageOptions: { ecmaVersion: 2024, sourceType: 'commonjs', globals: { ...globals.node, ...globals.browser } },
  },
  {
    files: ['tests/web/**/*.js', 'eslint.config.mjs'],
    languageOptions: { ecmaVersion: 2024, sourceType: 'module', globals: globals.node },
  },
  {
    rules: {
      'no-unused-vars': ['error', { argsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
];
