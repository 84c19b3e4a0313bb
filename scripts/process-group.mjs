// Runs a command in a process group of its own and stops the whole group, so nothing a command started outlives
// it: `nest start --watch` runs the app under `sh -c`, and a signal to the watcher alone leaves the app serving.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

const SIGNAL_EXIT = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };
/** Time a group gets to shut down cleanly before SIGKILL. */
const DEFAULT_GRACE_MS = 10_000;

/**
 * Whether a process of the group still runs. Zombies do not count: an orphan's exit status waits for init to
 * collect it, which some container inits do slowly. Elsewhere than Linux, any member (zombie or not) counts.
 */
function groupAlive(pgid) {
  if (process.platform !== 'linux') {
    try {
      process.kill(-pgid, 0);
      return true;
    } catch {
      return false;
    }
  }
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // gone meanwhile
    }
    // After "pid (command)": state, ppid, pgrp, …; the command may itself contain spaces or parentheses.
    const [state, , pgrp] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    if (Number(pgrp) === pgid && state !== 'Z') return true;
  }
  return false;
}

const signalGroup = (pid, signal) => {
  try {
    process.kill(-pid, signal);
  } catch {
    // the group is gone already
  }
};

/** Sends `signal` to the group unless it is empty; resolves once it is, after SIGKILL if the grace runs out. */
async function stopGroup(pid, signal, { say, graceMs }) {
  if (!groupAlive(pid)) return;
  signalGroup(pid, signal);
  const deadline = Date.now() + graceMs;
  while (groupAlive(pid)) {
    if (Date.now() > deadline) {
      say(`processes still running ${graceMs / 1000}s after ${signal}: killing them`);
      signalGroup(pid, 'SIGKILL');
      for (let wait = 0; wait < 20 && groupAlive(pid); wait++) await new Promise((resolve) => setTimeout(resolve, 50));
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Runs commands one at a time, each in its own process group. SIGINT, SIGTERM or SIGHUP to this process stops
 * the running group with that signal; `stoppedBy` then names it and `exitBySignal()` ends this process the same
 * way, so npm above ends quietly instead of reporting a failed script.
 */
export class ProcessGroupRunner {
  #current;
  #restartRequested = false;
  stoppedBy;

  #options;

  constructor({ say, graceMs = DEFAULT_GRACE_MS }) {
    this.#options = { say, graceMs };
    for (const signal of Object.keys(SIGNAL_EXIT)) {
      process.on(signal, () => {
        if (this.stoppedBy) return; // a terminal's Ctrl-C arrives from the terminal and again forwarded by npm
        this.stoppedBy = signal;
        if (this.#current) void stopGroup(this.#current, signal, this.#options);
      });
    }
  }

  /** Resolves with the command's exit status once its whole group is gone; `env` is read at every (re)start. */
  async run(command, args, { cwd, env }) {
    let status;
    do {
      this.#restartRequested = false;
      status = await this.#runOnce(command, args, { cwd, env: env() });
    } while (this.#restartRequested && !this.stoppedBy);
    return status;
  }

  /** Stops the running group and starts the command again. */
  restart() {
    if (!this.#current || this.stoppedBy) return;
    this.#restartRequested = true;
    void stopGroup(this.#current, 'SIGTERM', this.#options);
  }

  exitBySignal() {
    process.removeAllListeners(this.stoppedBy);
    process.kill(process.pid, this.stoppedBy);
  }

  #runOnce(command, args, { cwd, env }) {
    const child = spawn(command, args, { cwd, env, stdio: 'inherit', detached: true });
    this.#current = child.pid;
    return new Promise((resolve) => {
      child.once('error', (error) => {
        this.#options.say(`cannot run ${command}: ${error.message}`);
        resolve(127);
      });
      child.once('exit', (code, signal) => {
        // Whatever the leader left behind (the app a watcher started) goes with it.
        void stopGroup(child.pid, 'SIGTERM', this.#options).then(() => resolve(code ?? SIGNAL_EXIT[signal] ?? 1));
      });
    });
  }
}
