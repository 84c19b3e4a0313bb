import type { ApiGatewayResult } from './api-gateway-event-source';

/** The response body as bytes, decoding base64 when API Gateway would. */
export function bodyOf(result: ApiGatewayResult): Buffer {
  const body = typeof result === 'string' ? result : (result.body ?? '');
  const isBase64 = typeof result === 'object' && result.isBase64Encoded === true;
  return Buffer.from(body, isBase64 ? 'base64' : 'utf8');
}

/** Every response header as lower-case name → values, for both payload versions (cookies included). */
export function headersOf(result: ApiGatewayResult): Record<string, string[]> {
  if (typeof result === 'string') return {};
  const headers: Record<string, string[]> = {};
  const add = (name: string, value: unknown) => (headers[name.toLowerCase()] ??= []).push(String(value));
  for (const [name, value] of Object.entries(result.headers ?? {})) add(name, value);
  const multi = (result as { multiValueHeaders?: Record<string, unknown[]> }).multiValueHeaders ?? {};
  for (const [name, values] of Object.entries(multi)) for (const value of values) add(name, value);
  for (const cookie of (result as { cookies?: string[] }).cookies ?? []) add('set-cookie', cookie);
  return headers;
}

export function statusOf(result: ApiGatewayResult): number {
  return typeof result === 'string' ? 200 : (result.statusCode ?? 200);
}
