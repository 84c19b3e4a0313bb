import { describe, expect, it } from 'vitest';
import { basePathOfEvent, isBinaryResponse, requestValuesOf, resultOf, withBasePath } from './api-gateway-event-source';
import { httpApiEvent, restApiEvent } from '../dev/api-gateway-events';
import { toRequestPath } from './request-path';

describe('API Gateway event source', () => {
  it('takes the stage as base path only when the client URL carries it', () => {
    const onExecuteApi = restApiEvent({ method: 'GET', path: '/prod/images' }, 'prod');
    expect(basePathOfEvent(onExecuteApi)).toBe('/prod');
    const onCustomDomain = { ...onExecuteApi, requestContext: { ...onExecuteApi.requestContext, path: '/images' } };
    expect(basePathOfEvent(onCustomDomain)).toBe('');
    expect(basePathOfEvent(httpApiEvent({ method: 'GET', path: '/images' }))).toBe('');
    expect(basePathOfEvent(httpApiEvent({ method: 'GET', path: '/dev/images' }, 'dev'))).toBe('/dev');
  });

  it('builds the app request from a REST event: encoded path, multi-value query and headers, bytes', () => {
    const body = Buffer.from([0, 255, 1, 254]);
    const values = requestValuesOf(
      restApiEvent(
        {
          method: 'POST',
          path: '/dev/images/a%2Fb',
          query: 'x=1&x=2&q=a%20b',
          headers: { Accept: ['image/png', 'image/*'], Cookie: ['a=1', 'b=2'] },
          body,
        },
        'dev',
      ),
    );
    expect(values.path).toBe('/images/a%2Fb?x=1&x=2&q=a+b');
    expect(values.headers).toMatchObject({ accept: 'image/png, image/*', cookie: 'a=1; b=2', 'content-length': '4' });
    expect(values.body?.equals(body)).toBe(true);
  });

  it('re-encodes what a decoded path cannot carry, keeping valid escapes', () => {
    expect(toRequestPath('/images/a b%/c?d#e')).toBe('/images/a%20b%25/c%3Fd%23e');
    expect(toRequestPath('/images/%41ok/é')).toBe('/images/%41ok/%C3%A9');
  });

  it('answers v1 with multiValueHeaders and v2 with joined headers and cookies, never chunked', () => {
    const headers = {
      'content-type': 'application/json',
      'set-cookie': ['a=1', 'b=2'],
      'transfer-encoding': 'chunked',
    };
    const v1 = resultOf({
      event: restApiEvent({ method: 'GET', path: '/dev/x' }, 'dev'),
      statusCode: 200,
      body: '{}',
      headers,
      isBase64Encoded: false,
    });
    expect(v1).toMatchObject({ multiValueHeaders: { 'set-cookie': ['a=1', 'b=2'] } });
    expect((v1 as { multiValueHeaders: object }).multiValueHeaders).not.toHaveProperty('transfer-encoding');
    const v2 = resultOf({
      event: httpApiEvent({ method: 'GET', path: '/x' }),
      statusCode: 200,
      body: '{}',
      headers,
      isBase64Encoded: false,
    });
    expect(v2).toMatchObject({ headers: { 'content-type': 'application/json' }, cookies: ['a=1', 'b=2'] });
  });

  it('keeps redirects inside the stage (a trailing-slash redirect from static middleware, say)', () => {
    expect(withBasePath('/docs/', '/dev')).toBe('/dev/docs/');
    expect(withBasePath('/dev/images/1', '/dev')).toBe('/dev/images/1');
    expect(withBasePath('https://elsewhere.example/x', '/dev')).toBe('https://elsewhere.example/x');
    expect(withBasePath('/docs/', '')).toBe('/docs/');
    const redirect = resultOf({
      event: restApiEvent({ method: 'GET', path: '/dev/docs' }, 'dev'),
      statusCode: 301,
      body: '',
      headers: { location: '/docs/' },
      isBase64Encoded: false,
    });
    expect(redirect).toMatchObject({ statusCode: 301, multiValueHeaders: { location: ['/dev/docs/'] } });
  });

  it('sends everything but text base64', () => {
    expect(isBinaryResponse({ headers: { 'content-type': 'image/webp' } })).toBe(true);
    expect(isBinaryResponse({ headers: { 'content-type': 'application/octet-stream' } })).toBe(true);
    expect(isBinaryResponse({ headers: { 'content-type': 'application/json; charset=utf-8' } })).toBe(false);
    expect(isBinaryResponse({ headers: { 'content-type': 'text/html' } })).toBe(false);
    expect(isBinaryResponse({ headers: { 'content-type': 'application/problem+json' } })).toBe(false);
    expect(isBinaryResponse({ headers: { 'content-type': 'text/css', 'content-encoding': 'gzip' } })).toBe(true);
    expect(isBinaryResponse({ headers: {} })).toBe(false);
  });
});
