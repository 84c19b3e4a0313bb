import { createServer, connect, type Server, type Socket } from 'node:net';

/**
 * A loopback TCP proxy in front of a real server, for fault tests: `stop()` makes the target unreachable
 * (connections refused, open ones cut), `start()` brings it back on the same port, `delayMs` holds every
 * chunk from the target back to simulate a slow server.
 */
export class TcpProxy {
  delayMs = 0;
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  async start(): Promise<this> {
    const server = createServer((client) => this.pipe(client));
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as { port: number }).port;
    this.server = server;
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private pipe(client: Socket): void {
    const upstream = connect(this.targetPort, this.targetHost);
    for (const socket of [client, upstream]) {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
      socket.on('error', () => undefined);
    }
    client.on('data', (chunk) => upstream.write(chunk));
    upstream.on('data', (chunk) => {
      const forward = () => !client.destroyed && client.write(chunk);
      if (this.delayMs > 0) setTimeout(forward, this.delayMs);
      else forward();
    });
    client.on('close', () => upstream.destroy());
    upstream.on('close', () =>
      this.delayMs > 0 ? setTimeout(() => client.destroy(), this.delayMs) : client.destroy(),
    );
  }
}
