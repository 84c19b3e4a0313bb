#!/usr/bin/env node
// Every npm script goes through here (`"test": "exec node scripts/run.mjs test"`), because npm runs a script, and
// its `pre` script, with whatever Node is first on PATH: on an older Node this re-runs itself on Node 24 (fetched
// once, see node-bootstrap.mjs), installs dependencies and builds what the task needs, then runs the task's
// commands one after another. Extra arguments (`npm test -- api/config`) go to the first command.
//
// Each command runs in a process group of its own, and a signal to this process (Ctrl-C, SIGTERM from a
// supervisor) stops the whole group (process-group.mjs). The `exec` in package.json makes this process npm's
// direct child instead of a child of `sh -c`, which would die of a SIGTERM without passing it on.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, watch } from 'node:fs';
import { join } from 'node:path';
import util from 'node:util';
import { runUnderNode24 } from './node-bootstrap.mjs';
import { ensureBuilt, ensureDependencies, root } from './ensure-setup.mjs';
import { ProcessGroupRunner } from './process-group.mjs';
import { SERVER_NODE_FLAGS } from './server-flags.mjs';

await runUnderNode24();

/**
 * `install`: directories whose dependencies must be installed (default the root); `build`: dist/ must be
 * current; `before`: commands run first, without the extra arguments; `envFile`: loaded (the environment wins, as with Node's --env-file) and watched, restarting the task
 * when it changes; `reportLocalS3`: say so when the commands left a local S3 server running that they started.
 */
/** The web gallery (web/ → web/dist), rebuilt only when its sources changed: about a second. */
const BUILD_WEB = ['node', 'scripts/build-web.mjs', '--if-stale'];

const TASKS = {
  build: { commands: [['nest', 'build']] },
  start: { build: true, before: [BUILD_WEB], commands: [['node', ...SERVER_NODE_FLAGS, 'dist/main.js']] },
  'start:dev': { envFile: '.env', before: [BUILD_WEB], commands: [['nest', 'start', '--watch']] },
  'start:lambda': { commands: [['node', 'scripts/start-lambda.mjs']] },
  'build:lambda': { commands: [['node', 'scripts/build-lambda.mjs']] },
  test: {
    install: ['.', 'infra'],
    reportLocalS3: true,
    commands: [
      ['vitest', 'run'],
      ['npm', '--prefix', 'infra', 'test'],
    ],
  },
  'test:unit': { reportLocalS3: true, commands: [['vitest', 'run']] },
  'test:e2e': { commands: [['node', 'e2e/run.mjs']] },
  'test:browser': { commands: [['node', 'e2e/run.mjs', '--browser']] },
  lint: {
    commands: [
      ['eslint', '.'],
      ['prettier', '--check', '.'],
    ],
  },
  format: { commands: [['prettier', '--write', '.']] },
  typecheck: { commands: [['tsc', '--noEmit', '-p', 'tsconfig.json']] },
  'lint:workflows': { commands: [['node', 'scripts/lint-workflows.mjs']] },
  bench: { commands: [['node', 'bench/run.mjs']] },
  'bench:soak': { commands: [['node', 'bench/soak.mjs']] },
  'bench:disk-list': { commands: [['node', 'bench/disk-list.mjs']] },
  'bench:s3-list': { build: true, commands: [['node', 'bench/s3-list.mjs']] },
  'bench:variants': { commands: [['node', 'bench/variants.mjs']] },
  'bench:reads': {
    commands: [
      ['node', 'bench/reads.mjs'],
      ['node', 'bench/reads-lambda.mjs'],
    ],
  },
  'bench:uploads': { commands: [['node', 'bench/uploads.mjs']] },
  openapi: { commands: [['node', 'scripts/openapi.mjs']] },
  'lint:openapi': { commands: [['redocly', 'lint', 'openapi.json']] },
  'build:web': { commands: [['node', 'scripts/build-web.mjs']] },
  'dev:web': { commands: [['vite', '--config', 'web/vite.config.mts']] },
};

const say = (line) => process.stderr.write(`imagestore: ${line}\n`);

const [name, ...extraArgs] = process.argv.slice(2);
const task = TASKS[name];
if (!task) {
  say(`unknown task "${name ?? ''}"; one of: ${Object.keys(TASKS).join(', ')}`);
  process.exit(2);
}

function resolveCommand([command, ...args]) {
  if (command === 'node') return [process.execPath, args];
  const local = join(root, 'node_modules', '.bin', command);
  return [existsSync(local) ? local : command, args];
}

function taskEnvironment() {
  if (!task.envFile) return process.env;
  const file = join(root, task.envFile);
  if (!existsSync(file)) return process.env;
  const fromFile = util.parseEnv(readFileSync(file, 'utf8'));
  const applied = Object.keys(fromFile).filter((key) => process.env[key] === undefined);
  const overridden = Object.keys(fromFile).length - applied.length;
  say(
    `settings from ${task.envFile}: ${applied.join(', ') || 'none'}` +
      (overridden ? ` (${overridden} more set in the environment, which wins)` : ''),
  );
  return { ...fromFile, ...process.env };
}

const runner = new ProcessGroupRunner({ say });

function watchEnvFile() {
  let timer;
  watch(root, (_event, file) => {
    if (file !== task.envFile) return;
    clearTimeout(timer);
    timer = setTimeout(() => {
      say(`${task.envFile} changed: restarting ${name}`);
      runner.restart();
    }, 300);
  }).unref();
}

function localS3Running() {
  return spawnSync('bash', [join(root, 'scripts', 'local-s3.sh'), 'status'], { stdio: 'ignore' }).status === 0;
}

function reportLocalS3() {
  const env = spawnSync('bash', [join(root, 'scripts', 'local-s3.sh'), 'env'], { encoding: 'utf8' }).stdout ?? '';
  const endpoint = /^S3_ENDPOINT=(.*)$/m.exec(env)?.[1] ?? 'loopback';
  const settings = ['LOCAL_S3_DIR', 'LOCAL_S3_PORT', 'LOCAL_S3_MON_PORT']
    .filter((key) => process.env[key])
    .map((key) => `${key}=${process.env[key]} `)
    .join('');
  say(
    `the local S3 server these tests started (${endpoint}) is still running, so the next run starts at once; ` +
      `stop it with ${settings}scripts/local-s3.sh stop`,
  );
}

async function main() {
  ensureDependencies(task.install);
  if (task.build) ensureBuilt();
  const checkLocalS3 = task.reportLocalS3 && !process.env.S3_TEST_ENDPOINT;
  const localS3WasRunning = checkLocalS3 && localS3Running();
  if (task.envFile) watchEnvFile();

  let status = 0;
  for (const command of task.before ?? []) {
    const [executable, args] = resolveCommand(command);
    status = await runner.run(executable, args, { cwd: root, env: taskEnvironment });
    if (status !== 0 || runner.stoppedBy) return status;
  }
  for (const [index, command] of task.commands.entries()) {
    const [executable, args] = resolveCommand(command);
    status = await runner.run(executable, index === 0 ? [...args, ...extraArgs] : args, {
      cwd: root,
      env: taskEnvironment,
    });
    if (status !== 0 || runner.stoppedBy) break;
  }

  if (checkLocalS3 && !localS3WasRunning && localS3Running()) reportLocalS3();
  return status;
}

main().then(
  (status) => (runner.stoppedBy ? runner.exitBySignal() : process.exit(status)),
  (error) => {
    say(error instanceof Error ? error.message : String(error));
    process.exit(1);
  },
);
