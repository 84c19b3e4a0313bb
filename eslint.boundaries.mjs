// @ts-check
// The dependency rule of api/ (docs/architecture.md), enforced: each folder is one part, and parts depend on each
// other in one direction only. `npm run lint` fails on an import that breaks it; api/architecture.spec.ts proves so.
import boundaries from 'eslint-plugin-boundaries';

/** Each part of api/ and what it may import (besides itself and packages). */
export const API_PARTS = {
  config: [],
  platform: [],
  common: ['config', 'platform'],
  images: ['common', 'config', 'platform'],
  observability: ['images', 'common', 'config', 'platform'],
  health: ['images', 'common', 'config'],
  gallery: ['images', 'common', 'config', 'platform'],
  lambda: ['root', 'observability', 'common', 'config', 'platform'],
  dev: ['lambda', 'root', 'common', 'config', 'platform'],
  root: ['images', 'observability', 'health', 'gallery', 'common', 'config', 'platform'],
  test: ['root', 'lambda', 'dev', 'images', 'observability', 'health', 'gallery', 'common', 'config', 'platform'],
};

/** The boundary config for a checkout rooted at `rootPath` (patterns below are relative to it). */
export default function apiBoundaries(rootPath) {
  return [
    {
      files: ['api/**/*.ts'],
      plugins: { boundaries },
      settings: {
        'boundaries/root-path': rootPath,
        'import/resolver': { node: { extensions: ['.ts', '.js', '.mjs', '.cjs'] } },
        'boundaries/elements': [
          ...Object.keys(API_PARTS)
            .filter((part) => part !== 'root')
            .map((part) => ({ type: part, pattern: `api/${part}` })),
        ],
        // The composition root: the files directly in api/ (the app module and factory, the entry points).
        'boundaries/files': [{ category: 'root', pattern: 'api/*.ts' }],
      },
      rules: {
        'boundaries/no-unknown-files': 'error',
        'boundaries/dependencies': [
          'error',
          {
            default: 'disallow',
            message: 'api/{{from.type}} may not import api/{{to.type}} (the dependency rule in docs/architecture.md)',
            policies: Object.entries(API_PARTS).map(([part, allowed]) => {
              const parts = [part, ...allowed];
              const folders = { element: { types: { anyOf: parts.filter((name) => name !== 'root') } } };
              return {
                from: part === 'root' ? { file: { categories: 'root' } } : { element: { type: part } },
                allow: { to: parts.includes('root') ? [folders, { file: { categories: 'root' } }] : folders },
              };
            }),
          },
        ],
      },
    },
    {
      // Specs may reach for any part's test helpers; the rule is about production code.
      files: ['api/**/*.spec.ts', 'api/**/*.int-spec.ts', 'api/**/*.contract.ts'],
      rules: { 'boundaries/dependencies': 'off' },
    },
  ];
}
