// @ts-check
import eslint from '@eslint/js';
import prettier from 'eslint-config-prettier';
import globals from 'globals';
import tseslint from 'typescript-eslint';
import apiBoundaries from './eslint.boundaries.mjs';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      'dist/**',
      'dist-lambda/**',
      'clients/*/dist/**',
      'clients/*/.build-test-*/**',
      'web/dist/**',
      'coverage/**',
      '.data/**',
      'infra/cdk.out/**',
      'infra/**/*.js',
      'infra/**/*.d.ts',
    ],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  ...apiBoundaries(import.meta.dirname),
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@aws-sdk/*'],
              message: 'Only the S3 storage adapter and the CloudFront links adapter may import the AWS SDK.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['web/**/*.ts', 'web/**/*.mts'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: [
      'api/images/storage/s3.*.ts',
      'api/images/storage/s3-*.ts',
      // CloudFront signing, its settings and key, and the purge: the CDN's one adapter.
      'api/images/links/cloudfront-links.ts',
      'api/**/*.int-spec.ts',
      'api/test/**',
      'scripts/**',
      'e2e/**',
      'bench/**',
      'infra/**',
    ],
    rules: { 'no-restricted-imports': 'off' },
  },
);
