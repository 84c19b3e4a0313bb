import { ValidationPipe } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { setBasePath } from './common/base-path';
import { HttpErrorFilter } from './common/http-error.filter';
import { applyHttpServerLimits } from './common/http-server.limits';
import { assignRequestId } from './common/request-id';
import { RouteTable } from './common/route-table';
import { loadConfig, type AppConfig } from './config/app-config';
import { MALFORMED_IMAGE_ID_PATH } from './images/image-id.pipe';
import { routerLayersOf } from './platform/express-router';
import { setupSwagger } from './swagger';

export interface CreateAppOptions {
  readonly config?: AppConfig;
  /** The public prefix of each request (e.g. an API Gateway stage); used for links and Swagger servers. */
  readonly resolveBasePath?: (req: Request) => string;
}

/**
 * Builds the fully configured app. Both entry points (`main.ts` for HTTP, `lambda/handler.ts` for Lambda) call this, so
 * pipes, filters, security headers and Swagger cannot drift between them.
 */
export async function createApp(options: CreateAppOptions = {}): Promise<NestExpressApplication> {
  const config = options.config ?? loadConfig();
  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), {
    bufferLogs: true,
    // No route takes a JSON or form body; uploads are parsed by multer with their own limits.
    bodyParser: false,
    // Rethrow a failed start (e.g. a StartupError from a storage probe) to the entry point instead of
    // process.abort(): main.ts exits 78 with the message, and Lambda tries again on the next invocation.
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  app.use(assignRequestId);
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use(
    helmet({
      // Swagger UI needs its own scripts and inline styles; nothing else here serves HTML.
      contentSecurityPolicy: {
        directives: { 'script-src': ["'self'"], 'img-src': ["'self'", 'data:'], 'upgrade-insecure-requests': null },
      },
      crossOriginResourcePolicy: { policy: 'same-site' },
    }),
  );
  if (config.CORS_ORIGINS.length > 0) {
    app.enableCors({
      origin: config.CORS_ORIGINS,
      exposedHeaders: ['Location', 'ETag', 'x-request-id', 'Content-Range'],
    });
  }
  const { resolveBasePath } = options;
  if (resolveBasePath) {
    app.use((req: Request, res: Response, next: NextFunction) => {
      setBasePath(res, resolveBasePath(req));
      next();
    });
  }
  // An unknown or misspelt parameter (`cursor[]=`, `limt=`) is a 400, never silently dropped: dropping a cursor
  // would restart the listing from page one.
  app.useGlobalPipes(
    new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true, forbidUnknownValues: true }),
  );
  app.useGlobalFilters(new HttpErrorFilter(new RouteTable(routerLayersOf(app)), [MALFORMED_IMAGE_ID_PATH]));
  setupSwagger(app, config);
  applyHttpServerLimits(app.getHttpServer(), config);
  await app.init();
  return app;
}
