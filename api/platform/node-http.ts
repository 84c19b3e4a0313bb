import type { Duplex } from 'node:stream';

/**
 * Whether the server already started answering on this socket (so a parser error must not write a second
 * response into it). Node keeps the response in progress on the socket as `_httpMessage`, an internal it has
 * had for a decade; platform.spec.ts fails if it goes away.
 */
export function responseStartedOn(socket: Duplex): boolean {
  return Boolean((socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent);
}
