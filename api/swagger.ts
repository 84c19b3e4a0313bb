import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import type { Request } from 'express';
import { errorMediaType } from './common/api-error-responses.decorator';
import { basePathOf } from './common/base-path';
import { ErrorEnvelopeDto } from './common/error-envelope.dto';
import type { AppConfig } from './config/app-config';

export const DOCS_PATH = 'docs';

const DESCRIPTION = `Store and serve images.

* Uploads are \`multipart/form-data\` with one part named \`file\`. The type is decided from the bytes (JPEG, PNG, WebP, GIF, AVIF); images are re-encoded so metadata such as GPS location is not kept.
* Every error is \`application/json\` with the same shape (\`ErrorEnvelopeDto\`) and a stable \`code\`; each response lists the codes it can carry. The \`x-request-id\` response header matches \`requestId\`.
* Before any route, the server itself may answer \`400 MALFORMED_REQUEST\`, \`408 REQUEST_TIMEOUT\` or \`431 HEADERS_TOO_LARGE\`, a wrong method on a known path \`405 METHOD_NOT_ALLOWED\` (with \`Allow\`), and an unknown path \`404 ROUTE_NOT_FOUND\`, all in the same envelope.
* Lists are oldest first; follow \`nextCursor\`.`;

/** The limits the document states, taken from the running configuration. */
export type DocumentedLimits = Pick<AppConfig, 'LIST_DEFAULT_LIMIT' | 'LIST_MAX_LIMIT'>;

/** HEAD is served by every GET route (Express); each gets its own stable operation id. */
const HEAD_OPERATION_IDS: Record<string, string> = {
  getImageContent: 'headImageContent',
  getImageVariant: 'headImageVariant',
  getSignedImageContent: 'headSignedImageContent',
  getSignedImageVariant: 'headSignedImageVariant',
  getCdnVariant: 'headCdnVariant',
  getImage: 'headImage',
  listImages: 'headImages',
  getHealth: 'headHealth',
};

// @nestjs/swagger does not export its OpenAPI object types, so they are derived from the document's.
type PathItemObject = OpenAPIObject['paths'][string];
type OperationObject = NonNullable<PathItemObject['get']>;
type ParameterObject = Extract<NonNullable<OperationObject['parameters']>[number], { name: string }>;
type ResponseObject = Extract<OperationObject['responses'][string], { description: string }>;

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

export function buildOpenApiDocument(app: INestApplication, limits: DocumentedLimits): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('imagestore')
    .setDescription(DESCRIPTION)
    .setVersion(process.env.npm_package_version ?? '0.1.0')
    .setLicense('MIT', 'https://opensource.org/license/mit')
    .addServer('/')
    .addTag('images', 'Upload, list, read and delete images.')
    .addTag('direct uploads', 'Presigned uploads straight to S3, for images larger than the API accepts.')
    .addTag('health', 'Readiness for load balancers and deploy checks.')
    .addTag('cdn', 'What the CDN asks of the API: variants the bucket does not have yet.')
    .addApiKey(
      {
        type: 'apiKey',
        name: 'x-api-key',
        in: 'header',
        description: 'Needed only on deployments behind an API Gateway usage plan.',
      },
      'apiKey',
    )
    .build();
  return completeDocument(SwaggerModule.createDocument(app, config, { extraModels: [ErrorEnvelopeDto] }), limits);
}

/**
 * The one place that edits the generated document, for what Nest's decorators cannot express:
 * - the API key is optional (only API Gateway deployments ask for it), which needs an empty requirement;
 * - `limit`'s maximum and default come from the configuration, not from literals in the DTO;
 * - every response carries `x-request-id`, every error `Cache-Control: no-store`, and any route can fail with
 *   500 INTERNAL_ERROR; any request may send its own `x-request-id`;
 * - HEAD operations, which Nest does not list although Express answers HEAD on every GET route: the GET
 *   operation without response bodies.
 */
function completeDocument(document: OpenAPIObject, limits: DocumentedLimits): OpenAPIObject {
  document.security = [{ apiKey: [] }, {}];
  document.components = {
    ...document.components,
    headers: {
      RequestId: {
        description: 'Correlation id: the caller’s own if it sent a safe one, else generated. Equals `requestId`.',
        required: true,
        schema: {
          type: 'string',
          pattern: '^[A-Za-z0-9._:-]{8,128}$',
          example: '6f1c1f5e-2c1b-4a57-9d0e-2f7f2c0b8a11',
        },
      },
      NoStore: {
        description: 'Errors are never cached.',
        required: true,
        schema: { type: 'string', enum: ['no-store'] },
      },
    },
    parameters: {
      RequestId: {
        name: 'x-request-id',
        in: 'header',
        required: false,
        description: 'Your correlation id, echoed back when it matches `^[A-Za-z0-9._:-]{8,128}$`.',
        schema: { type: 'string' },
      },
    },
  };
  for (const pathItem of Object.values(document.paths)) {
    for (const method of HTTP_METHODS) {
      const operation = pathItem[method];
      if (operation) completeOperation(operation, limits);
    }
    if (pathItem.get) addHeadOperation(pathItem);
  }
  return document;
}

function completeOperation(operation: OperationObject, limits: DocumentedLimits): void {
  operation.parameters = [...(operation.parameters ?? []), { $ref: '#/components/parameters/RequestId' }];
  const limit = operation.parameters.find((p): p is ParameterObject => 'name' in p && p.name === 'limit');
  if (limit?.schema && 'type' in limit.schema) {
    limit.schema = { ...limit.schema, maximum: limits.LIST_MAX_LIMIT, default: limits.LIST_DEFAULT_LIMIT };
  }
  operation.responses['500'] = {
    description: '`INTERNAL_ERROR`: anything unexpected; details are in the log under the same request id.',
    content: { 'application/json': errorMediaType(500, ['INTERNAL_ERROR']) },
  };
  for (const [status, response] of Object.entries(operation.responses) as [string, ResponseObject][]) {
    response.headers = {
      ...response.headers,
      'x-request-id': { $ref: '#/components/headers/RequestId' },
      ...(Number(status) >= 400 ? { 'Cache-Control': { $ref: '#/components/headers/NoStore' } } : {}),
    };
  }
}

function addHeadOperation(pathItem: PathItemObject): void {
  const get = pathItem.get!;
  const operationId = HEAD_OPERATION_IDS[get.operationId ?? ''];
  if (!operationId) throw new Error(`No HEAD operation id for ${get.operationId}: add it to HEAD_OPERATION_IDS`);
  const responses = Object.fromEntries(
    Object.entries(get.responses).map(([status, response]) => {
      const { content: _body, ...headersOnly } = response as ResponseObject;
      return [status, headersOnly];
    }),
  );
  pathItem.head = {
    ...structuredClone(get),
    operationId,
    summary: `${get.summary} (headers only)`,
    description: `The headers ${get.operationId} would answer with, and no body.`,
    responses: structuredClone(responses),
  };
}

/** Serves Swagger UI at /docs and the document at /docs-json; servers follow the caller's base path (stage). */
export function setupSwagger(app: INestApplication, limits: DocumentedLimits): void {
  let document: OpenAPIObject | undefined;
  SwaggerModule.setup(DOCS_PATH, app, () => (document ??= buildOpenApiDocument(app, limits)), {
    jsonDocumentUrl: `${DOCS_PATH}-json`,
    customSiteTitle: 'imagestore API',
    swaggerOptions: { persistAuthorization: true, displayRequestDuration: true },
    patchDocumentOnRequest: (req, _res, doc) => ({ ...doc, servers: [{ url: basePathOf(req as Request) || '/' }] }),
  });
}
