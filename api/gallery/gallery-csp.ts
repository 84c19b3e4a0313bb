import type { AppConfig } from '../config/app-config';

/**
 * The origin a browser reaches the bucket at, for presigned POSTs (direct uploads) and presigned GETs (the 307
 * for large originals): the configured endpoint (its bucket subdomain unless path-style), else AWS's regional
 * virtual-hosted endpoint, which is what the SDK signs for.
 */
export function objectStoreOrigin(config: AppConfig): string | undefined {
  if (config.STORAGE_DRIVER !== 's3' || !config.S3_BUCKET) return undefined;
  if (!config.S3_ENDPOINT) return `https://${config.S3_BUCKET}.s3.${config.AWS_REGION}.amazonaws.com`;
  const endpoint = new URL(config.S3_ENDPOINT);
  return config.S3_FORCE_PATH_STYLE ? endpoint.origin : `${endpoint.protocol}//${config.S3_BUCKET}.${endpoint.host}`;
}

/**
 * The gallery's policy: its own scripts and styles only (no inline code), images and API calls from this
 * origin plus the bucket the API may send the browser to, images from the CDN when the links point there,
 * nothing else. The ThumbHash placeholder is painted into a canvas, so neither `data:` nor `blob:` is needed.
 */
export function galleryContentSecurityPolicy(config: AppConfig, linksOrigin?: string): string {
  const store = objectStoreOrigin(config);
  const sources = (...extra: (string | undefined)[]) =>
    ["'self'", ...extra].filter((source): source is string => source !== undefined).join(' ');
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    `img-src ${sources(store, linksOrigin)}`,
    `connect-src ${sources(store)}`,
    "base-uri 'self'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}
