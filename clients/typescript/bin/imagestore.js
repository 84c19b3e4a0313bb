#!/usr/bin/env node
// The file npm links as `imagestore` at install time; the command itself is compiled into dist/ by
// `npm run build --workspace clients/typescript`, which a fresh clone has not run yet.
import { existsSync } from 'node:fs';

const cli = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(cli)) {
  process.stderr.write('imagestore: not built yet; run `npm run build --workspace clients/typescript` first\n');
  process.exit(1);
}
await import(cli.href);
