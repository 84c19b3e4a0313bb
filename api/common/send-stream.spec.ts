import { createServer, get, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { sendStream } from './send-stream';

/** A body that never ends on its own: only a destroy stops it. */
const endless = () =>
  new Readable({
    read() {
      setTimeout(() => this.push(Buffer.alloc(16 * 1024, 1)), 1);
    },
  });

/** Serves one request with sendStream, runs `client` against it, and returns what `sendStream` saw. */
async function serveOnce(
  body: Readable,
  client: (port: number) => Promise<unknown>,
  prepare: (res: ServerResponse) => void = () => undefined,
) {
  const onEarlyEnd = vi.fn();
  let sent!: Promise<void>;
  const server = createServer((_req, res) => {
    prepare(res);
    sent = sendStream(body, res, onEarlyEnd);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  try {
    const received = await client((server.address() as AddressInfo).port);
    await sent;
    return { onEarlyEnd, received };
  } finally {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}

const download = (port: number) =>
  new Promise<string>((resolve, reject) => {
    get({ port, host: '127.0.0.1' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve(Buffer.concat(chunks).toString()));
      res.on('error', reject);
    }).on('error', reject);
  });

/** Reads the first bytes, then hangs up. */
const hangUpAfterFirstBytes = (port: number) =>
  new Promise<void>((resolve, reject) => {
    const req = get({ port, host: '127.0.0.1' }, (res) => {
      res.once('data', () => {
        req.destroy();
        resolve();
      });
    }).on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' ? resolve() : reject(error)));
  });

describe(sendStream.name, () => {
  it('sends the whole body and reports nothing when the response finishes', async () => {
    const body = Readable.from([Buffer.from('hello '), Buffer.from('world')]);
    const { onEarlyEnd, received } = await serveOnce(body, download);
    expect(received).toBe('hello world');
    expect(onEarlyEnd).not.toHaveBeenCalled();
    expect(body.destroyed).toBe(true);
  });

  it('destroys the body and reports the early end when the client hangs up mid-stream', async () => {
    const body = endless();
    const { onEarlyEnd } = await serveOnce(body, hangUpAfterFirstBytes);
    expect(body.destroyed).toBe(true);
    expect(onEarlyEnd).toHaveBeenCalledTimes(1);
  });

  it('cuts the response and reports the error when the body fails', async () => {
    const body = new Readable({ read() {} });
    const failing = (port: number) => {
      setTimeout(() => {
        body.push('partial');
        setTimeout(() => body.destroy(new Error('disk gone')), 20);
      }, 20);
      return download(port).then(
        () => 'complete',
        () => 'cut',
      );
    };
    const { onEarlyEnd, received } = await serveOnce(body, failing, (res) => res.setHeader('Content-Length', '100'));
    expect(received).toBe('cut');
    expect(onEarlyEnd).toHaveBeenCalledWith(expect.objectContaining({ message: 'disk gone' }));
  });

  it('destroys the body at once for a response that is already closed', async () => {
    const body = endless();
    const { onEarlyEnd } = await serveOnce(
      body,
      (port) => download(port).catch(() => undefined),
      (res) => res.destroy(),
    );
    expect(body.destroyed).toBe(true);
    expect(onEarlyEnd).not.toHaveBeenCalled();
  });
});
