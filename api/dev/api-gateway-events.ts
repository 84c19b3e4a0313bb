import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEvent, APIGatewayProxyEventV2 } from 'aws-lambda';

/** An HTTP request as the client sent it, the input to both event builders. */
export interface HttpRequestInput {
  readonly method: string;
  /** The path the client asked for, percent-encoding as sent, without the query; includes the stage. */
  readonly path: string;
  /** Raw query string without `?`. */
  readonly query?: string;
  readonly headers?: Readonly<Record<string, string | string[]>>;
  readonly body?: Buffer;
  readonly sourceIp?: string;
}

const safeDecode = (value: string): string => {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
};

const asList = (value: string | string[]): string[] => (Array.isArray(value) ? value : [value]);

/**
 * The event API Gateway REST (v1) sends for a `{proxy+}` resource on the default execute-api URL: `path` without
 * the stage and with the client's encoding, `requestContext.path` with the stage, `pathParameters.proxy` and
 * query values decoded, and every body base64-encoded (binary media type `*\/*`).
 */
export function restApiEvent(request: HttpRequestInput, stage: string): APIGatewayProxyEvent {
  const prefix = `/${stage}`;
  const path = request.path === prefix ? '/' : request.path.slice(prefix.length) || '/';
  const multiValueHeaders: Record<string, string[]> = {};
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    multiValueHeaders[name] = asList(value);
    headers[name] = asList(value).at(-1) ?? '';
  }
  const multiValueQuery: Record<string, string[]> = {};
  for (const [name, value] of new URLSearchParams(request.query ?? '')) (multiValueQuery[name] ??= []).push(value);
  const hasQuery = Object.keys(multiValueQuery).length > 0;
  const requestId = randomUUID();
  const now = new Date();
  return {
    resource: '/{proxy+}',
    path,
    httpMethod: request.method,
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery
      ? Object.fromEntries(Object.entries(multiValueQuery).map(([name, values]) => [name, values.at(-1) ?? '']))
      : null,
    multiValueQueryStringParameters: hasQuery ? multiValueQuery : null,
    pathParameters: path === '/' ? null : { proxy: safeDecode(path.slice(1)) },
    stageVariables: null,
    body: request.body && request.body.length > 0 ? request.body.toString('base64') : null,
    isBase64Encoded: Boolean(request.body && request.body.length > 0),
    requestContext: {
      accountId: '123456789012',
      apiId: 'local',
      authorizer: null,
      domainName: headers.host ?? headers.Host ?? 'localhost',
      domainPrefix: 'local',
      extendedRequestId: requestId,
      httpMethod: request.method,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: request.sourceIp ?? '127.0.0.1',
        user: null,
        userAgent: headers['user-agent'] ?? headers['User-Agent'] ?? null,
        userArn: null,
      },
      path: request.path,
      protocol: 'HTTP/1.1',
      requestId,
      requestTime: now.toUTCString(),
      requestTimeEpoch: now.getTime(),
      resourceId: 'proxy',
      resourcePath: '/{proxy+}',
      stage,
    },
  };
}

/**
 * The event an HTTP API (payload 2.0) sends: `rawPath` includes a named stage and arrives percent-decoded,
 * headers are lower-case and comma-joined, cookies come separately.
 */
export function httpApiEvent(request: HttpRequestInput, stage = '$default'): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  let cookies: string[] | undefined;
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    if (name.toLowerCase() === 'cookie') cookies = asList(value).flatMap((line) => line.split('; '));
    else headers[name.toLowerCase()] = asList(value).join(',');
  }
  const requestId = randomUUID();
  const now = new Date();
  const rawPath = safeDecode(request.path);
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString: request.query ?? '',
    ...(cookies ? { cookies } : {}),
    headers,
    body: request.body && request.body.length > 0 ? request.body.toString('base64') : undefined,
    isBase64Encoded: Boolean(request.body && request.body.length > 0),
    requestContext: {
      accountId: '123456789012',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: {
        method: request.method,
        path: rawPath,
        protocol: 'HTTP/1.1',
        sourceIp: request.sourceIp ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId,
      routeKey: '$default',
      stage,
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
  };
}

/** A Lambda context good enough for the handler and Powertools. */
export function lambdaContext(functionName = 'imagestore-local') {
  const awsRequestId = randomUUID();
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => 25_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
