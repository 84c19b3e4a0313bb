import type {
  APIGatewayProxyEvent,
  APIGatewayProxyEventV2,
  APIGatewayProxyResult,
  APIGatewayProxyStructuredResultV2,
} from 'aws-lambda';
import { stripPrefix, toRequestPath } from './request-path';

export type ApiGatewayEvent = APIGatewayProxyEvent | APIGatewayProxyEventV2;
export type ApiGatewayResult = APIGatewayProxyResult | APIGatewayProxyStructuredResultV2;

/** What serverless-express needs to build the Node request. */
export interface RequestValues {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body?: Buffer;
  readonly remoteAddress: string;
}

export const isHttpApiEvent = (event: ApiGatewayEvent): event is APIGatewayProxyEventV2 =>
  (event as { version?: string }).version === '2.0';

/**
 * The public prefix in front of the app for this event: `/<stage>` on the default execute-api URL, the base
 * path mapping behind a custom domain, nothing on an HTTP API `$default` stage.
 */
export function basePathOfEvent(event: ApiGatewayEvent): string {
  if (isHttpApiEvent(event)) {
    const { stage } = event.requestContext;
    return stage && stage !== '$default' && stripPrefix(event.rawPath, `/${stage}`) !== undefined ? `/${stage}` : '';
  }
  const context = event.requestContext as APIGatewayProxyEvent['requestContext'] & {
    customDomain?: { basePathMatched?: string };
  };
  const mapping = context.customDomain?.basePathMatched;
  if (mapping && mapping !== '(none)') return `/${mapping}`;
  // REST paths reach us without the stage; `requestContext.path` is what the client asked for. Only when that
  // starts with the stage is the stage part of the public URL (on a custom domain it is not).
  const stage = context.stage;
  return stage && context.path !== undefined && stripPrefix(context.path, `/${stage}`) !== undefined ? `/${stage}` : '';
}

/** API Gateway event → Node request values, for both REST (v1) and HTTP API (v2) payloads. */
export function requestValuesOf(event: ApiGatewayEvent): RequestValues {
  const body = event.body ? Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8') : undefined;
  if (isHttpApiEvent(event)) {
    const headers = lowerCaseKeys(event.headers ?? {});
    if (event.cookies?.length) headers.cookie = event.cookies.join('; ');
    if (body) headers['content-length'] = String(body.length);
    const basePath = basePathOfEvent(event);
    const appPath = (basePath && stripPrefix(event.rawPath, basePath)) || event.rawPath;
    const query = event.rawQueryString ? `?${event.rawQueryString}` : '';
    return {
      method: event.requestContext.http.method,
      path: `${toRequestPath(appPath)}${query}`,
      headers,
      body,
      remoteAddress: event.requestContext.http.sourceIp,
    };
  }
  const headers = event.multiValueHeaders
    ? Object.fromEntries(
        Object.entries(event.multiValueHeaders)
          .filter((entry): entry is [string, string[]] => Array.isArray(entry[1]))
          .map(([name, values]) => [name.toLowerCase(), values.join(name.toLowerCase() === 'cookie' ? '; ' : ', ')]),
      )
    : lowerCaseKeys(event.headers ?? {});
  if (body) headers['content-length'] = String(body.length);
  // `event.path` keeps the client's percent-encoding (`pathParameters.proxy` is decoded, so it is not used).
  const mapping = (event.requestContext as { customDomain?: { basePathMatched?: string } }).customDomain
    ?.basePathMatched;
  const appPath = (mapping && stripPrefix(event.path, `/${mapping}`)) || event.path;
  return {
    method: event.httpMethod,
    path: `${toRequestPath(appPath)}${restQueryString(event)}`,
    headers,
    body,
    remoteAddress: event.requestContext.identity?.sourceIp ?? '',
  };
}

function restQueryString(event: APIGatewayProxyEvent): string {
  const params = new URLSearchParams();
  const multi = event.multiValueQueryStringParameters;
  if (multi) {
    for (const [name, values] of Object.entries(multi)) for (const value of values ?? []) params.append(name, value);
  } else {
    for (const [name, value] of Object.entries(event.queryStringParameters ?? {})) {
      if (value !== undefined) params.append(name, value);
    }
  }
  const query = params.toString();
  return query ? `?${query}` : '';
}

function lowerCaseKeys(headers: Record<string, string | undefined>): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) result[name.toLowerCase()] = value;
  return result;
}

export interface ResponseValues {
  readonly event: ApiGatewayEvent;
  readonly statusCode: number;
  readonly body: string;
  readonly headers: Record<string, string | string[] | number | undefined>;
  readonly isBase64Encoded: boolean;
}

/** Node response → the API Gateway result shape of the event's payload version. */
export function resultOf({ event, statusCode, body, headers, isBase64Encoded }: ResponseValues): ApiGatewayResult {
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const lower = name.toLowerCase();
    // API Gateway answers with the whole buffered body; chunked framing would be a lie.
    if (lower === 'transfer-encoding') continue;
    multiValueHeaders[lower] = Array.isArray(value) ? value.map(String) : [String(value)];
  }
  const location = multiValueHeaders.location;
  if (location) multiValueHeaders.location = location.map((url) => withBasePath(url, basePathOfEvent(event)));
  if (!isHttpApiEvent(event)) return { statusCode, multiValueHeaders, body, isBase64Encoded };
  const { 'set-cookie': cookies, ...rest } = multiValueHeaders;
  return {
    statusCode,
    headers: Object.fromEntries(Object.entries(rest).map(([name, values]) => [name, values.join(', ')])),
    ...(cookies ? { cookies } : {}),
    body,
    isBase64Encoded,
  };
}

/**
 * Keeps redirects inside the stage: a root-relative Location written by code that only knows app paths (static
 * file middleware adding a trailing slash, say) gets the public prefix; links the app already prefixed are kept.
 */
export function withBasePath(location: string, basePath: string): string {
  if (!basePath || !location.startsWith('/') || location.startsWith('//')) return location;
  return location === basePath || location.startsWith(`${basePath}/`) || location.startsWith(`${basePath}?`)
    ? location
    : `${basePath}${location}`;
}

const TEXT_CONTENT_TYPE = /^(text\/|application\/(json|javascript|xml|x-www-form-urlencoded)|[^;]*\+(json|xml))/i;

/**
 * Which responses go back base64. Anything not known to be text is binary, so image bytes (and any future
 * binary type) can never be mangled by a UTF-8 round trip; JSON, HTML, CSS and JS stay readable text.
 */
export function isBinaryResponse({ headers }: { headers: Record<string, unknown> }): boolean {
  const encoding = headers['content-encoding'];
  if (typeof encoding === 'string' && encoding !== '' && encoding !== 'identity') return true;
  const type = headers['content-type'];
  if (typeof type !== 'string' || type === '') return false;
  return !TEXT_CONTENT_TYPE.test(type);
}
