import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import type { Request } from 'express';
import { basePathOf } from './common/base-path';
import { ErrorEnvelopeDto } from './common/error-envelope.dto';

export const DOCS_PATH = 'docs';

const DESCRIPTION = `Store and serve images.

* Uploads are \`multipart/form-data\` with one part named \`file\`. The type is decided from the bytes (JPEG, PNG, WebP, GIF, AVIF); images are re-encoded so metadata such as GPS location is not kept.
* Every error has the same JSON shape (\`ErrorEnvelopeDto\`) with a stable \`code\`; the \`x-request-id\` response header matches \`requestId\`.
* Lists are oldest first; follow \`nextCursor\`.`;

export function buildOpenApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('imagestore')
    .setDescription(DESCRIPTION)
    .setVersion(process.env.npm_package_version ?? '0.1.0')
    .addApiKey(
      {
        type: 'apiKey',
        name: 'x-api-key',
        in: 'header',
        description: 'Needed only on deployments behind an API Gateway usage plan.',
      },
      'apiKey',
    )
    .addSecurityRequirements('apiKey')
    .build();
  return SwaggerModule.createDocument(app, config, { extraModels: [ErrorEnvelopeDto] });
}

/** Serves Swagger UI at /docs and the document at /docs-json; servers follow the caller's base path (stage). */
export function setupSwagger(app: INestApplication): void {
  let document: OpenAPIObject | undefined;
  SwaggerModule.setup(DOCS_PATH, app, () => (document ??= buildOpenApiDocument(app)), {
    jsonDocumentUrl: `${DOCS_PATH}-json`,
    customSiteTitle: 'imagestore API',
    swaggerOptions: { persistAuthorization: true, displayRequestDuration: true },
    patchDocumentOnRequest: (req, _res, doc) => ({ ...doc, servers: [{ url: basePathOf(req as Request) || '/' }] }),
  });
}
