import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { defineConfig, type Plugin } from 'vite';

/** The budget for what the first visit downloads: JS + CSS, gzipped. */
const FIRST_LOAD_BUDGET_BYTES = 60 * 1024;
const outDir = join(import.meta.dirname, 'dist');

/**
 * After the build, sums the gzipped size of every script and stylesheet index.html loads (and their module
 * preloads), prints it, and fails the build over the budget.
 */
function firstLoadBudget(budget: number): Plugin {
  return {
    name: 'imagestore:first-load-budget',
    apply: 'build',
    closeBundle() {
      const index = readFileSync(join(outDir, 'index.html'), 'utf8');
      const files = [...index.matchAll(/<(?:script|link)\b[^>]*\b(?:src|href)="\.\/([^"]+\.(?:js|css))"/g)].map(
        (match) => match[1]!,
      );
      let total = 0;
      const rows = files.map((file) => {
        const bytes = readFileSync(join(outDir, file));
        const gzipped = gzipSync(bytes, { level: 9 }).length;
        total += gzipped;
        return `  ${file.padEnd(40)} ${(bytes.length / 1024).toFixed(1).padStart(7)} KB  ${(gzipped / 1024).toFixed(1).padStart(6)} KB gzip`;
      });
      const line = `gallery first load: ${(total / 1024).toFixed(1)} KB gzipped JS+CSS (budget ${budget / 1024} KB)`;
      process.stdout.write(`${rows.join('\n')}\n${line}\n`);
      if (files.length === 0) this.error('first-load budget: index.html references no JS or CSS');
      if (total > budget) this.error(`${line}: over budget`);
    },
  };
}

export default defineConfig({
  root: import.meta.dirname,
  // Every URL relative to the page, so the same build works at `/`, `/local/` and `/prod/`.
  base: './',
  build: {
    outDir,
    emptyOutDir: true,
    target: 'es2022',
    // The polyfill is for browsers without <link rel=modulepreload>; every browser this targets has it.
    modulePreload: { polyfill: false },
    // Tiny assets would be inlined as data: URLs, which the page's CSP does not allow.
    assetsInlineLimit: 0,
    reportCompressedSize: false,
  },
  plugins: [firstLoadBudget(FIRST_LOAD_BUDGET_BYTES)],
  server: {
    // `npm run dev:web`: Vite's dev server in front of `npm run start:dev` for quick UI work.
    proxy: { '/images': 'http://127.0.0.1:3000', '/health': 'http://127.0.0.1:3000' },
  },
});
