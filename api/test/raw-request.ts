import { Socket } from 'node:net';
import type { TestApp } from './test-app';

/**
 * A hand-written request, for what supertest cannot produce (lying lengths, chunked streams, broken syntax).
 * Resolves when the server closes the connection.
 */
export async function rawRequest(
  t: TestApp,
  headLines: string[],
  chunks?: string[],
): Promise<{ status: number; head: string; body: string }> {
  const address = t.server.address();
  if (!address || typeof address === 'string') {
    await new Promise<void>((resolve) => t.server.listen(0, '127.0.0.1', resolve));
  }
  const { port } = t.server.address() as { port: number };
  return new Promise((resolve, reject) => {
    const socket = new Socket();
    let received = '';
    socket.on('data', (data) => (received += data.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(received)?.[1]);
      if (!status) return reject(new Error(`no response: ${received}`));
      const headEnd = received.indexOf('\r\n\r\n');
      const head = received.slice(0, headEnd);
      const rawBody = received.slice(headEnd + 4);
      const body = /transfer-encoding: chunked/i.test(head) ? dechunk(rawBody) : rawBody;
      resolve({ status, head, body });
    });
    socket.connect(port, '127.0.0.1', () => {
      socket.write(headLines.join('\r\n') + '\r\n');
      for (const chunk of chunks ?? []) {
        if (socket.destroyed) break;
        socket.write(`${Buffer.byteLength(chunk).toString(16)}\r\n${chunk}\r\n`);
      }
      if (chunks && !socket.destroyed) socket.write('0\r\n\r\n');
    });
  });
}

function dechunk(raw: string): string {
  let out = '';
  let rest = raw;
  for (;;) {
    const lineEnd = rest.indexOf('\r\n');
    const size = Number.parseInt(rest.slice(0, lineEnd), 16);
    if (!size) return out;
    out += rest.slice(lineEnd + 2, lineEnd + 2 + size);
    rest = rest.slice(lineEnd + 2 + size + 2);
  }
}
