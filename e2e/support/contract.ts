// Every e2e exchange is checked against openapi.json. Most go through Stoplight Prism (`prism proxy --errors`,
// started by e2e/run.mjs), which fails any request or response that does not match. Prism 5.16 cannot carry
// four kinds of exchange correctly, so those go straight to the target and are checked here instead, with
// openapi-backend (Ajv) against the same document:
//   1. multipart bodies (uploads): Prism re-encodes the request body as text, corrupting the image bytes;
//   2. image bytes (GET /images/{id}/content, 200/206): Prism re-encodes the response body as text;
//   3. HEAD of a JSON route (/health, /images, /images/{id}, or an error): Prism parses the empty body as JSON
//      and answers 500 itself;
//   4. the direct-upload routes: Prism replaces an upstream 501 (DIRECT_UPLOAD_UNAVAILABLE) with a mocked answer.
// Prism also answers HEAD with its own `Content-Length: 0`; tests read the length from the target (rawRequest).
// Requests that are invalid on purpose (bad ids, unknown routes, malformed bodies) also go direct: Prism would
// refuse them before the service could; their responses are still checked here.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import OpenAPIBackend, { type Document } from 'openapi-backend';

const documentPath = path.join(import.meta.dirname, '..', '..', 'openapi.json');
const document = JSON.parse(readFileSync(documentPath, 'utf8')) as Document;
const backend = new OpenAPIBackend({
  definition: withoutOptionalResponseHeaders(document),
  quick: false,
  validate: true,
});

/**
 * openapi-backend treats every response header that has a schema as required, whatever its `required` says.
 * Its copy of the document leaves out the optional ones (`Idempotent-Replayed`, a variant's `Vary`), so their
 * absence is not a violation; Prism still checks them on the proxied exchanges.
 */
function withoutOptionalResponseHeaders(source: Document): Document {
  const copy = structuredClone(source) as { paths?: Record<string, Record<string, unknown>> };
  for (const operations of Object.values(copy.paths ?? {})) {
    for (const operation of Object.values(operations)) {
      const responses = (
        operation as { responses?: Record<string, { headers?: Record<string, { required?: boolean }> }> }
      ).responses;
      for (const response of Object.values(responses ?? {})) {
        for (const [name, header] of Object.entries(response.headers ?? {})) {
          if (header.required !== true && !('$ref' in header)) delete response.headers![name];
        }
      }
    }
  }
  return copy as Document;
}
const ready = backend.init();

interface ResponseObject {
  content?: Record<string, unknown>;
}

export interface Exchange {
  readonly method: string;
  /** The path under the API's base (stage stripped), with the query string. */
  readonly pathAndQuery: string;
  readonly requestHeaders: Headers;
  readonly status: number;
  readonly headers: Headers;
  readonly body: Uint8Array;
  /** Skip request validation: the request is wrong on purpose. */
  readonly invalidRequest?: boolean;
}

/** The contract problems of one exchange; empty when it matches the document. */
export async function contractViolations(exchange: Exchange): Promise<string[]> {
  await ready;
  const url = new URL(exchange.pathAndQuery, 'http://target');
  const request = {
    method: exchange.method.toLowerCase(),
    path: url.pathname,
    query: url.search.replace(/^\?/, ''),
    headers: Object.fromEntries(exchange.requestHeaders),
  };
  const operation = backend.matchOperation(request);
  if (!operation) {
    // Only answers to deliberately invalid requests may fall outside the document, and only as the envelope.
    return exchange.invalidRequest
      ? envelopeProblems(exchange)
      : [`${exchange.method} ${url.pathname} is not in the document`];
  }
  const problems: string[] = [];
  if (!exchange.invalidRequest) {
    const checked = backend.validator.validateRequest({ ...request, body: undefined }, operation);
    // A multipart body is checked by the service itself; here only parameters and headers are.
    const errors = (checked.errors ?? []).filter(
      (error) => !error.instancePath.startsWith('/requestBody') && error.params.missingProperty !== 'requestBody',
    );
    problems.push(...errors.map((error) => `request ${error.instancePath} ${error.message}`));
  }
  const declared = (operation.responses as Record<string, ResponseObject>)[String(exchange.status)];
  if (!declared) {
    if (exchange.invalidRequest) return envelopeProblems(exchange);
    return [...problems, `${operation.operationId}: status ${exchange.status} is not documented`];
  }
  const headers = Object.fromEntries(exchange.headers);
  const headerCheck = backend.validator.validateResponseHeaders(headers, operation, {
    statusCode: exchange.status,
    setMatchType: 'superset',
  });
  problems.push(...(headerCheck.errors ?? []).map((error) => `header ${error.instancePath} ${error.message}`));
  const mediaTypes = Object.keys(declared.content ?? {});
  const contentType = (exchange.headers.get('content-type') ?? '').split(';')[0]!.trim();
  if (exchange.body.byteLength > 0 || (mediaTypes.length > 0 && exchange.method !== 'HEAD')) {
    if (!mediaTypes.includes(contentType)) {
      problems.push(`${operation.operationId} ${exchange.status}: Content-Type ${contentType} not in [${mediaTypes}]`);
    } else if (contentType === 'application/json') {
      const body: unknown = JSON.parse(Buffer.from(exchange.body).toString('utf8'));
      const bodyCheck = backend.validator.validateResponse(body, operation, exchange.status);
      problems.push(...(bodyCheck.errors ?? []).map((error) => `body ${error.instancePath} ${error.message}`));
    }
  }
  return problems.map((problem) => `${exchange.method} ${exchange.pathAndQuery} → ${exchange.status}: ${problem}`);
}

let validateEnvelope: ((value: unknown) => boolean) | undefined;

/** An answer outside any operation (unknown route, wrong method) must still be the documented envelope. */
function envelopeProblems(exchange: Exchange): string[] {
  if (exchange.method === 'HEAD') return [];
  validateEnvelope ??= new Ajv({ strict: false }).compile(document.components!.schemas!.ErrorEnvelopeDto!);
  const body: unknown = JSON.parse(Buffer.from(exchange.body).toString('utf8') || 'null');
  if (validateEnvelope(body) && (exchange.headers.get('content-type') ?? '').startsWith('application/json')) return [];
  return [`${exchange.method} ${exchange.pathAndQuery} → ${exchange.status}: not the error envelope`];
}
