import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CLOUDFRONT_FUNCTION_MAX_BYTES, VARIANT_REQUEST_FUNCTION_FILE } from './image-cdn';

interface CfRequest {
  method?: string;
  cookies?: Record<string, unknown>;
  uri: string;
  querystring: Record<string, { value: string }>;
  headers: Record<string, { value: string }>;
}
interface CfResponse {
  statusCode: number;
  body: { data: string };
}

const source = readFileSync(VARIANT_REQUEST_FUNCTION_FILE, 'utf8');
/**
 * Evaluated as CloudFront does: one script with a global `handler`, nothing to import. A `require` or `import`
 * in the file would fail here, as it would at the edge.
 */
const handler = new Function(`'use strict';\n${source}\nreturn handler;`)() as (event: {
  request: CfRequest;
}) => CfRequest | CfResponse;

const ID = '01936f8e-7b3c-7c1e-9a4e-3f2b1c0d9e8f';

/** A viewer-request event as CloudFront delivers it (cloudfront-js-2.0 shape). */
function viewerRequest(
  uri: string,
  { accept, query = {} }: { accept?: string; query?: Record<string, string> } = {},
): { request: CfRequest } & Record<string, unknown> {
  const headers: Record<string, { value: string }> = accept === undefined ? {} : { accept: { value: accept } };
  return {
    version: '1.0',
    context: { distributionDomainName: 'd111111abcdef8.cloudfront.net', eventType: 'viewer-request', requestId: 'r' },
    viewer: { ip: '198.51.100.7' },
    request: {
      method: 'GET',
      uri,
      querystring: Object.fromEntries(Object.entries(query).map(([name, value]) => [name, { value }])),
      headers,
      cookies: {},
    },
  };
}

/** The stored name's extension of each format (api: variantName): what the bucket origin must be asked for. */
const EXTENSION: Record<string, string> = { avif: 'avif', webp: 'webp', jpeg: 'jpg', png: 'png' };

const uriFor = (accept: string | undefined, query?: Record<string, string>) =>
  (handler(viewerRequest(`/${ID}/variants/thumb`, { accept, query })) as CfRequest).uri;

describe('variant viewer-request function', () => {
  it('stays far below the CloudFront Functions size limit', () => {
    expect(Buffer.byteLength(source)).toBeLessThan(CLOUDFRONT_FUNCTION_MAX_BYTES);
    expect(source).not.toMatch(/\brequire\(|^\s*import\b|^\s*export\b/m);
  });

  // The Accept matrix: what browsers and tools really send, and the edge cases of the negotiation.
  const acceptMatrix: [string, string | undefined, string][] = [
    ['Chrome/Firefox <img>', 'image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8', 'avif'],
    [
      'Safari 16 <img>',
      'image/webp,image/avif,image/jxl,image/heic,image/heic-sequence,video/*;q=0.8,*/*;q=0.5',
      'avif',
    ],
    ['old Chrome (WebP only)', 'image/webp,image/apng,image/*,*/*;q=0.8', 'webp'],
    ['AVIF refused with q=0', 'image/avif;q=0,image/webp', 'webp'],
    ['both refused with q=0', 'image/avif;q=0, image/webp;q=0.0', 'jpeg'],
    ['upper case and spaces', 'Image/AVIF ; q=0.9 ,*/*', 'avif'],
    ['curl default', '*/*', 'jpeg'],
    ['image/* only', 'image/*', 'jpeg'],
    ['no Accept header', undefined, 'jpeg'],
    ['empty Accept header', '', 'jpeg'],
  ];
  for (const [client, accept, format] of acceptMatrix) {
    it(`negotiates ${format} for ${client}`, () => {
      expect(uriFor(accept)).toBe(`/${ID}/thumb.${EXTENSION[format]}`);
    });
  }

  it("falls back to the original's family the link names (PNG for PNG and GIF originals)", () => {
    expect(uriFor('*/*', { fallback: 'png' })).toBe(`/${ID}/thumb.png`);
    expect(uriFor('image/webp', { fallback: 'png' })).toBe(`/${ID}/thumb.webp`);
    // Anything else is the default, never a key the API cannot have written.
    expect(uriFor('*/*', { fallback: 'gif' })).toBe(`/${ID}/thumb.jpg`);
    expect(uriFor('*/*', { fallback: 'jpeg' })).toBe(`/${ID}/thumb.jpg`);
  });

  it('never picks AVIF for an animated image (AVIF keeps one frame); WebP keeps it moving', () => {
    const chrome = 'image/avif,image/webp,image/apng,image/svg+xml,image/*,*/*;q=0.8';
    expect(uriFor(chrome, { fallback: 'png', animated: '1' })).toBe(`/${ID}/thumb.webp`);
    expect(uriFor('image/avif', { fallback: 'png', animated: '1' })).toBe(`/${ID}/thumb.png`);
    expect(uriFor(chrome, { fallback: 'png', animated: '0' })).toBe(`/${ID}/thumb.avif`);
  });

  it('takes an explicit ?format= over Accept', () => {
    expect(uriFor('image/avif,image/webp', { format: 'png' })).toBe(`/${ID}/thumb.png`);
    expect(uriFor(undefined, { format: 'avif' })).toBe(`/${ID}/thumb.avif`);
    expect(uriFor('image/avif', { format: 'jpeg' })).toBe(`/${ID}/thumb.jpg`);
  });

  it('answers 400 for an unknown format and 404 for anything that is not a variant URL', () => {
    const bad = handler(viewerRequest(`/${ID}/variants/thumb`, { query: { format: 'gif' } })) as CfResponse;
    expect(bad.statusCode).toBe(400);
    expect(JSON.parse(bad.body.data)).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
    for (const uri of [
      `/${ID}/variants/Thumb`,
      `/${ID}/variants/thumb/extra`,
      `/${ID}/variants/../../incoming/x`,
      `/not-an-id/variants/thumb`,
      `/${ID.toUpperCase()}/variants/thumb`,
    ]) {
      expect((handler(viewerRequest(uri)) as CfResponse).statusCode, uri).toBe(404);
    }
  });

  it('leaves the query string (the signature) untouched', () => {
    const event = viewerRequest(`/${ID}/variants/thumb`, {
      accept: 'image/webp',
      query: { Expires: '1767225600', Signature: 'abc~', 'Key-Pair-Id': 'K2JCJMDEHXQW5F' },
    });
    const before = JSON.stringify(event.request.querystring);
    const request = handler(event) as CfRequest;
    expect(JSON.stringify(request.querystring)).toBe(before);
  });
});
