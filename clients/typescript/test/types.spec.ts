import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const packageDir = join(__dirname, '..');
const tsc = join(packageDir, '..', '..', 'node_modules', 'typescript', 'bin', 'tsc');

describe('@imagestore/client types', () => {
  it('turn a field, parameter or path that is not in openapi.json into a type error', async () => {
    // Fails either way: a marked line that compiles, or a valid use that does not.
    await expect(run(process.execPath, [tsc, '-p', join(packageDir, 'test', 'tsconfig.json')])).resolves.toBeDefined();
  });

  it('build as ES modules with declarations and a runnable bin', async () => {
    // Inside the package, so the bin finds ../package.json and the dependencies as it will when installed.
    const outDir = await mkdtemp(join(packageDir, '.build-test-'));
    try {
      await run(process.execPath, [tsc, '-p', join(packageDir, 'tsconfig.build.json'), '--outDir', outDir]);
      for (const file of ['index.js', 'index.d.ts', 'client.d.ts', 'cli.js']) {
        expect(existsSync(join(outDir, file)), file).toBe(true);
      }
      const { version } = (await import(join(packageDir, 'package.json'), { with: { type: 'json' } })).default;
      const { stdout } = await run(process.execPath, [join(outDir, 'cli.js'), '--version'], { cwd: packageDir });
      expect(stdout.trim()).toBe(version);
    } finally {
      await rm(outDir, { recursive: true, force: true });
    }
  }, 60_000);
});
