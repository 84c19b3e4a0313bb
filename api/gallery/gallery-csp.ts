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
 * origin plus the bucket the API may send the browser to, nothing else. The ThumbHash placeholder is painted
 * into a canvas, so neither `data:` nor `blob:` is needed.
 */
export function galleryContentSecurityPolicy(config: AppConfig): string {
  const store = objectStoreOrigin(config);
  const withStore = (sources: string[]) => (store ? [...sources, store] : sources).join(' ');
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    `img-src ${withStore(["'self'"])}`,
    `connect-src ${withStore(["'self'"])}`,
    "base-uri 'self'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}
