import { describe, expect, it } from 'vitest';
import { loadConfig } from '../config/app-config';
import { galleryContentSecurityPolicy, objectStoreOrigin } from './gallery-csp';

const s3 = (env: Record<string, string>) => loadConfig({ STORAGE_DRIVER: 's3', S3_BUCKET: 'pics', ...env });

describe(objectStoreOrigin.name, () => {
  it.each([
    [{}, undefined],
    [{ STORAGE_DRIVER: 's3', S3_BUCKET: 'pics', AWS_REGION: 'eu-west-1' }, 'https://pics.s3.eu-west-1.amazonaws.com'],
    [
      { STORAGE_DRIVER: 's3', S3_BUCKET: 'pics', S3_ENDPOINT: 'http://127.0.0.1:7480', S3_FORCE_PATH_STYLE: 'true' },
      'http://127.0.0.1:7480',
    ],
    [
      { STORAGE_DRIVER: 's3', S3_BUCKET: 'pics', S3_ENDPOINT: 'https://s3.example.org/' },
      'https://pics.s3.example.org',
    ],
  ])('%o → %s', (env, origin) => {
    expect(objectStoreOrigin(loadConfig(env))).toBe(origin);
  });
});

describe(galleryContentSecurityPolicy.name, () => {
  it('lets images and uploads reach the bucket on S3, and nothing else', () => {
    const policy = galleryContentSecurityPolicy(s3({ AWS_REGION: 'eu-west-1' }));
    expect(policy).toContain("img-src 'self' https://pics.s3.eu-west-1.amazonaws.com;");
    expect(policy).toContain("connect-src 'self' https://pics.s3.eu-west-1.amazonaws.com;");
    expect(policy).toContain("script-src 'self';");
  });

  it('lets images come from the CDN when the links point there, and API calls still not', () => {
    const policy = galleryContentSecurityPolicy(loadConfig({}), 'https://d111111abcdef8.cloudfront.net');
    expect(policy).toContain("img-src 'self' https://d111111abcdef8.cloudfront.net;");
    expect(policy).toContain("connect-src 'self';");
  });
});
