import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

// The shape of `npm run start:dev`: this runner → a watcher → `sh -c` → the app holding a port. The shell dies of
// a signal without passing it on, so only stopping the whole group frees the port.
const work = mkdtempSync(join(tmpdir(), 'imagestore-process-group-'));
const supervisor = join(work, 'supervisor.mjs');
writeFileSync(
  supervisor,
  `import { ProcessGroupRunner } from '${pathToFileURL(resolve(__dirname, 'process-group.mjs')).href}';
const runner = new ProcessGroupRunner({ say: (line) => console.error(line), graceMs: 1000 });
const status = await runner.run('sh', ['-c', process.argv[2]], { cwd: process.cwd(), env: () => process.env });
if (runner.stoppedBy) runner.exitBySignal();
else process.exit(status);
`,
);

/** An "app": listens on a free port and prints `<pid> <port>`; with IGNORE_SIGTERM it has to be killed. */
const app = `node -e "
if (process.env.IGNORE_SIGTERM) process.on('SIGTERM', () => {});
require('net').createServer().listen(0, '127.0.0.1', function () { console.log(process.pid, this.address().port) });
"`;

function start(script: string, env: Record<string, string> = {}) {
  const child = spawn(process.execPath, [supervisor, script], { env: { PATH: process.env.PATH, ...env } });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const listening = new Promise<{ pid: number; port: number }>((ready) =>
    child.stdout.on('data', (chunk: Buffer) => {
      const [pid, port] = chunk.toString().trim().split(' ').map(Number);
      ready({ pid, port });
    }),
  );
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((done) =>
    child.once('exit', (code, signal) => done({ code, signal, stderr })),
  );
  return { child, listening, exited };
}

/** Running, not merely waiting (as a zombie) for init to collect its exit status. */
const alive = (pid: number) => {
  try {
    return !/^\d+ \(.*\) Z /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

const portAnswers = (port: number) =>
  new Promise<boolean>((answer) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), answer(true)));
    socket.once('error', () => answer(false));
  });

describe('ProcessGroupRunner', () => {
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it.each(['SIGTERM', 'SIGINT'] as const)(
    '%s stops the app behind the shell too and ends by that signal',
    async (signal) => {
      const { child, listening, exited } = start(`${app}; echo never`);
      const { pid, port } = await listening;
      expect(await portAnswers(port)).toBe(true);
      child.kill(signal);
      expect((await exited).signal).toBe(signal);
      // Gone, so its port is free (asking the port itself would race other tests' servers taking it over).
      expect(alive(pid)).toBe(false);
    },
  );

  it('kills what ignores the signal once the grace period is over, and says so', async () => {
    const { child, listening, exited } = start(`${app}; echo never`, { IGNORE_SIGTERM: '1' });
    const { pid } = await listening;
    child.kill('SIGTERM');
    const { signal, stderr } = await exited;
    expect(signal).toBe('SIGTERM');
    expect(stderr).toContain('processes still running 1s after SIGTERM: killing them');
    expect(alive(pid)).toBe(false);
  });

  it('stops what the command left running when it ends by itself, and passes on its status', async () => {
    const { listening, exited } = start(`${app} & sleep 0.5; exit 3`);
    const { pid } = await listening;
    expect((await exited).code).toBe(3);
    expect(alive(pid)).toBe(false);
  });
});
