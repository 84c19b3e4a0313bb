import swc from 'unplugin-swc';
import { defineConfig } from 'vitest/config';

// SWC instead of esbuild: Nest's DI needs emitDecoratorMetadata, which esbuild does not emit.
export default defineConfig({
  plugins: [swc.vite({ module: { type: 'es6' } })],
  test: {
    include: [
      'api/**/*.spec.ts',
      'web/**/*.spec.ts',
      'api/**/*.int-spec.ts',
      'bench/**/*.spec.ts',
      'scripts/**/*.spec.ts',
      'clients/**/*.spec.ts',
      'clients/**/*.int-spec.ts',
    ],
    environment: 'node',
    pool: 'forks',
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
