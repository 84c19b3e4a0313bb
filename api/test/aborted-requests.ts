import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { Socket } from 'node:net';
import type { Server } from 'node:http';

/**
 * Clients that send a request and hang up right away, the way a browser cancels an image it no longer needs.
 * Resolves once every socket is closed on our side; the server may still be working on some of them.
 */
export async function abortedRequests(server: Server, requestHead: string, count: number, delayMs = 1): Promise<void> {
  const { port } = await listening(server);
  const batch = 25;
  for (let done = 0; done < count; done += batch) {
    await Promise.all(
      Array.from(
        { length: Math.min(batch, count - done) },
        () =>
          new Promise<void>((resolve) => {
            const socket = new Socket();
            socket.on('error', () => undefined);
            socket.on('close', () => resolve());
            socket.connect(port, '127.0.0.1', () => {
              socket.write(requestHead);
              setTimeout(() => socket.destroy(), delayMs);
            });
          }),
      ),
    );
  }
}

export async function listening(server: Server): Promise<{ port: number }> {
  if (!server.address()) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server.address() as { port: number };
}

/** Open file descriptors of this process that point into `dir`. */
export function openFilesUnder(dir: string): number {
  let count = 0;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`).startsWith(dir)) count++;
    } catch {
      // closed between readdir and readlink
    }
  }
  return count;
}

/** Polls `probe` until it returns true or `timeoutMs` passes; returns the last value seen. */
export async function eventually<T>(probe: () => T | Promise<T>, ok: (value: T) => boolean, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  let value = await probe();
  while (!ok(value) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    value = await probe();
  }
  return value;
}

/** This process's established TCP connections to `port` on loopback, read from the kernel's socket table. */
export function establishedConnectionsTo(port: number): number {
  const inodes = new Set<string>();
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      const target = readlinkSync(`/proc/self/fd/${fd}`);
      const inode = /^socket:\[(\d+)\]$/.exec(target)?.[1];
      if (inode) inodes.add(inode);
    } catch {
      // closed between readdir and readlink
    }
  }
  const ESTABLISHED = '01';
  let count = 0;
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 10) continue;
      const remotePort = Number.parseInt(fields[2].split(':')[1], 16);
      if (remotePort === port && fields[3] === ESTABLISHED && inodes.has(fields[9])) count++;
    }
  }
  return count;
}
