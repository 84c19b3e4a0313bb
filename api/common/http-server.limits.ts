import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage, type Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { AppConfig } from '../config/app-config';
import { HTTP_STATUS_BY_CODE, type ErrorCode } from './app-error';
import { responseStartedOn } from '../platform/node-http';
import { errorEnvelope } from './error-envelope.dto';

/** Node's parser errors, which it answers itself (a bare status line) before any middleware runs. */
const CLIENT_ERRORS: Readonly<Record<string, { code: ErrorCode; message: string }>> = {
  HPE_HEADER_OVERFLOW: { code: 'HEADERS_TOO_LARGE', message: 'The request headers are larger than 16 KB.' },
  ERR_HTTP_REQUEST_TIMEOUT: { code: 'REQUEST_TIMEOUT', message: 'The request was not received in time.' },
  ERR_HTTP_HEADERS_TIMEOUT: { code: 'REQUEST_TIMEOUT', message: 'The request headers were not received in time.' },
};
const MALFORMED = { code: 'MALFORMED_REQUEST', message: 'The request is not valid HTTP/1.1.' } as const;

/**
 * Limits of the plain HTTP server (`main.ts`; in Lambda, API Gateway plays this part): how long a client may
 * take to send its headers and its whole request, so slow uploads cannot hold connections for Node's default
 * five minutes; and the same JSON envelope as every other error for requests Node refuses before the app sees
 * them (oversized headers, broken syntax, timeouts).
 */
export function applyHttpServerLimits(server: Server, config: AppConfig): void {
  server.headersTimeout = config.HEADERS_TIMEOUT_MS;
  server.requestTimeout = config.REQUEST_TIMEOUT_MS;
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => answerClientError(error, socket));
  // Node hands CONNECT to this event instead of the app, and drops the socket when nobody listens. (Upgrade
  // requests without an 'upgrade' listener reach the app as ordinary requests.)
  server.on('connect', (_req: IncomingMessage, socket: Duplex) =>
    answerOnSocket(
      socket,
      'METHOD_NOT_ALLOWED',
      'CONNECT is not supported: this server is not a proxy.',
      // The target (host:port) is no resource of ours, so it allows no methods: an empty Allow (RFC 9110 10.2.1).
      ['Allow: '],
    ),
  );
}

function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || !socket.writable || responseStartedOn(socket)) {
    socket.destroy();
    return;
  }
  const { code, message } = CLIENT_ERRORS[error.code ?? ''] ?? MALFORMED;
  answerOnSocket(socket, code, message);
}

/** Writes one JSON error answer straight to a socket the app never saw, and closes it. */
function answerOnSocket(socket: Duplex, code: ErrorCode, message: string, extraHeaders: string[] = []): void {
  const status = HTTP_STATUS_BY_CODE[code];
  const requestId = randomUUID();
  const body = JSON.stringify(errorEnvelope(status, code, message, requestId));
  socket.end(
    [
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}`,
      'Content-Type: application/json; charset=utf-8',
      `Content-Length: ${Buffer.byteLength(body)}`,
      'X-Content-Type-Options: nosniff',
      `X-Request-Id: ${requestId}`,
      'Connection: close',
      ...extraHeaders,
      '',
      body,
    ].join('\r\n'),
  );
}
