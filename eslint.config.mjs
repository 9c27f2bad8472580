import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'generated/',
      'var/',
      'test-artifacts/',
      'dist/',
      'bin/*.js',
      '**/*.mjs',
      'jest.config.js',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Plain CommonJS loaded by Node tools as is (the jest reporter).
    files: ['**/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { process: 'readonly', module: 'writable', require: 'readonly' },
    },
    // Plain CommonJS has no other way to load a module.
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Workflow code runs in Temporal's deterministic sandbox: it may import only the workflow SDK,
    // the pure domain and activity *types*.
    files: ['workflows/**/*.ts'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['../activities/*', '../activities'],
              allowTypeImports: true,
              message: 'Workflows may import activity types only.',
            },
            {
              group: [
                'node:*',
                'fs',
                'path',
                'crypto',
                '@prisma/*',
                'nodemailer',
                '../client/*',
                '../worker/*',
                '../infra/*',
                '../mail/*',
                '../reports/*',
              ],
              message: 'Not deterministic: keep side effects in activities/.',
            },
          ],
        },
      ],
    },
  },
);
