// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
// Formatting is Prettier's own check (`npm run lint`); this only turns off the rules it owns.
import prettier from 'eslint-config-prettier';

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'cdk.out/',
      'coverage/',
      'test-artifacts/',
      // A mutation run's copy of the project, and its reports.
      '.stryker-tmp/',
      'reports/',
      '**/*.js',
      '**/*.mjs',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  ...tseslint.configs.stylisticTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
    },
  },
  {
    // CDK constructs are instantiated for their side effects on the construct tree.
    files: ['bin/**/*.ts', 'lib/**/*.ts', 'test/infra/**/*.ts'],
    rules: { '@typescript-eslint/no-extraneous-class': 'off', 'no-new': 'off' },
  },
  prettier,
);
