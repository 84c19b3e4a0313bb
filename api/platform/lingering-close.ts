import type { Socket } from 'node:net';

const LINGER_MS = 2000;

/**
 * Closing a socket that still has unread input makes the kernel send a reset, which can destroy an error answer
 * (a 413) before the client reads it. Like nginx's lingering close: send FIN, keep reading and discarding what
 * the client was still sending for a moment, then close for good.
 *
 * Relies on Node's HTTP server ending a `Connection: close` response with `socket.destroySoon()`
 * (platform.spec.ts fails if a Node upgrade stops doing so).
 */
export function lingerBeforeClosing(socket: Socket): void {
  socket.destroySoon = function lingeringDestroySoon(this: Socket) {
    this.end();
    this.resume();
    setTimeout(() => this.destroy(), LINGER_MS).unref();
  };
}
