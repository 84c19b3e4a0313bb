import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SERVER_NODE_FLAGS } from './server-flags.mjs';

describe('server Node flags', () => {
  it('are accepted by this Node (a flag it does not know would stop `npm start`)', () => {
    const probe = spawnSync(process.execPath, [...SERVER_NODE_FLAGS, '-e', 'process.exit(0)'], { encoding: 'utf8' });
    expect(probe.stderr).toBe('');
    expect(probe.status).toBe(0);
  });

  it('are what `npm start` passes to node, before the entry point', () => {
    const runner = readFileSync(join(__dirname, 'run.mjs'), 'utf8');
    expect(runner).toContain(
      "start: { build: true, before: [BUILD_WEB], commands: [['node', ...SERVER_NODE_FLAGS, 'dist/main.js']] }",
    );
  });
});
