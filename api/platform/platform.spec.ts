import { createServer, request as httpRequest, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { Catch, Controller, Get, HttpException, Module, type ArgumentsHost } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import { describe, expect, it } from 'vitest';
import { routerLayersOf } from './express-router';
import { isRouteMiss } from './nest-route-miss';
import { responseStartedOn } from './node-http';
import { deferWriteCallbacks } from './serverless-express-socket';

/**
 * Each platform adaptation relies on a behaviour of Node, Express, Nest or serverless-express that no public API
 * promises. These tests pin that behaviour, so an upgrade that changes it fails here, by name, instead of
 * somewhere far away.
 */
describe('platform behaviours the adaptations rely on', () => {
  it("Node ends a 'Connection: close' response with socket.destroySoon() (lingering-close.ts)", async () => {
    let called = false;
    const server = createServer((_req, res) => {
      res.setHeader('Connection', 'close');
      res.end('bye');
    });
    server.on('connection', (socket: Socket) => {
      const original = socket.destroySoon.bind(socket);
      socket.destroySoon = () => {
        called = true;
        original();
      };
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await new Promise<void>((resolve, reject) => {
      httpRequest({ port, host: '127.0.0.1' }, (res) => res.resume().on('end', resolve))
        .on('error', reject)
        .end();
    });
    await new Promise((resolve) => server.close(resolve));
    expect(called).toBe(true);
  });

  it('Node keeps the response in progress on the socket as _httpMessage (node-http.ts)', async () => {
    const seen: boolean[] = [];
    const server = createServer((req, res) => {
      seen.push(responseStartedOn(req.socket));
      res.writeHead(200, { 'Content-Length': '2' });
      res.flushHeaders();
      seen.push(responseStartedOn(req.socket));
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    await request(server).get('/');
    await new Promise((resolve) => server.close(resolve));
    expect(seen).toEqual([false, true]);
  });

  describe('Express and Nest', () => {
    @Controller('things')
    class ThingsController {
      @Get(':id')
      get() {
        return {};
      }
    }
    const missed: HttpException[] = [];
    @Catch(HttpException)
    class Recorder {
      catch(exception: HttpException, host: ArgumentsHost) {
        missed.push(exception);
        host.switchToHttp().getResponse<ServerResponse>().writeHead(exception.getStatus()).end();
      }
    }
    @Module({ controllers: [ThingsController] })
    class ThingsModule {}

    const app = async () => {
      const nest = await NestFactory.create<NestExpressApplication>(ThingsModule, { logger: false });
      nest.useGlobalFilters(new Recorder());
      await nest.init();
      return nest;
    };

    it("Express 5's router lists each route's path and methods in router.stack (express-router.ts)", async () => {
      const nest = await app();
      const routes = routerLayersOf(nest)().flatMap((layer) => (layer.route ? [layer.route] : []));
      await nest.close();
      expect(routes).toContainEqual(expect.objectContaining({ path: '/things/:id', methods: { get: true } }));
    });

    it("Nest reports an unmatched route as a 404 saying 'Cannot GET /path' (nest-route-miss.ts)", async () => {
      const nest = await app();
      await request(nest.getHttpServer()).get('/nowhere');
      await nest.close();
      expect(missed).toHaveLength(1);
      expect(missed[0].getStatus()).toBe(404);
      expect(isRouteMiss(missed[0])).toBe(true);
    });
  });

  it("serverless-express's socket acknowledges writes synchronously (serverless-express-socket.ts)", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- an internal module, not in its exports map
    const ServerlessResponse = require('@codegenie/serverless-express/src/response.js') as new (options: {
      method: string;
    }) => ServerResponse;
    const write = (response: ServerResponse) => {
      let acknowledged = false;
      (response.socket as unknown as { write(data: string, cb: () => void): void }).write('x', () => {
        acknowledged = true;
      });
      return acknowledged;
    };
    expect(write(new ServerlessResponse({ method: 'GET' }))).toBe(true);
    const deferred = new ServerlessResponse({ method: 'GET' });
    deferWriteCallbacks(deferred);
    expect(write(deferred)).toBe(false);
  });
});
