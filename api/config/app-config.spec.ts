import { describe, expect, it } from 'vitest';
import { AppConfig, ConfigValidationError, loadConfig, SETTING_NAMES } from './app-config';

describe(AppConfig.name, () => {
  it('takes the documented defaults from an empty environment', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      PORT: 3000,
      STORAGE_DRIVER: 'disk',
      STORAGE_DIR: './.data/images',
      MAX_UPLOAD_BYTES: 4 * 1024 * 1024,
      MAX_IMAGE_PIXELS: 40_000_000,
      LIST_DEFAULT_LIMIT: 20,
      LIST_MAX_LIMIT: 100,
      STRIP_METADATA: true,
      LOG_LEVEL: 'info',
      CONTENT_LINK_TTL_SECONDS: 3600,
    });
  });

  it('converts numbers, booleans and lists from strings', () => {
    const config = loadConfig({
      PORT: '8080',
      STRIP_METADATA: 'false',
      CORS_ORIGINS: 'https://a.example, http://localhost:5173',
    });
    expect(config.PORT).toBe(8080);
    expect(config.STRIP_METADATA).toBe(false);
    expect(config.CORS_ORIGINS).toEqual(['https://a.example', 'http://localhost:5173']);
  });

  it.each([
    [{ PORT: 'eighty' }, 'PORT'],
    [{ PORT: '70000' }, 'PORT'],
    [{ STORAGE_DRIVER: 'ftp' }, 'STORAGE_DRIVER'],
    [{ MAX_UPLOAD_BYTES: '-1' }, 'MAX_UPLOAD_BYTES'],
    [{ MAX_IMAGE_PIXELS: '1e9x' }, 'MAX_IMAGE_PIXELS'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL'],
    [{ STRIP_METADATA: 'maybe' }, 'STRIP_METADATA'],
    [{ CURSOR_SECRET: 'short' }, 'CURSOR_SECRET'],
    [{ STORAGE_DRIVER: 's3' }, 'S3_BUCKET'],
    [{ S3_ENDPOINT: 'not a url' }, 'S3_ENDPOINT'],
    [{ LIST_DEFAULT_LIMIT: '50', LIST_MAX_LIMIT: '10' }, 'LIST_DEFAULT_LIMIT'],
    [{ IMAGE_VARIANTS: 'Thumb:256' }, 'IMAGE_VARIANTS'],
    [{ IMAGE_VARIANTS: `${'a'.repeat(33)}:256` }, 'IMAGE_VARIANTS'],
    [{ IMAGE_VARIANTS: 'thumb:15' }, 'IMAGE_VARIANTS'],
    [{ IMAGE_VARIANTS: 'thumb:8193' }, 'IMAGE_VARIANTS'],
    [{ IMAGE_VARIANTS: 'thumb:256,thumb:512' }, 'IMAGE_VARIANTS'],
    [{ IMAGE_VARIANTS: 'thumb:256,,small:640' }, 'IMAGE_VARIANTS'],
    [{ IMAGE_VARIANTS: 'thumb' }, 'IMAGE_VARIANTS'],
    [{ IMAGE_VARIANTS: Array.from({ length: 17 }, (_, i) => `p${i}:100`).join(',') }, 'at most 16'],
    [{ IMAGE_VARIANTS_EAGER: 'huge' }, 'IMAGE_VARIANTS_EAGER'],
    [{ CONTENT_LINK_TTL_SECONDS: '59' }, 'CONTENT_LINK_TTL_SECONDS'],
    [{ CONTENT_LINK_SECRET: 'short' }, 'CONTENT_LINK_SECRET'],
    [{ CDN_SETTINGS_PARAMETER: '/imagestore-dev/cdn/settings' }, 'CDN_SIGNING_KEY_SECRET'],
    [{ CDN_SIGNING_KEY_SECRET: 'imagestore-dev/cdn/signing-key/k' }, 'CDN_SETTINGS_PARAMETER'],
    [{ CDN_SETTINGS_PARAMETER: 'no-leading-slash', CDN_SIGNING_KEY_SECRET: 'k' }, 'CDN_SETTINGS_PARAMETER'],
  ])('refuses %j with a message naming %s', (env, variable) => {
    expect(() => loadConfig(env)).toThrow(ConfigValidationError);
    expect(() => loadConfig(env)).toThrow(variable);
  });

  it.each([
    [{ MAX_UPLOAD_BYTES: 'abc' }, 'MAX_UPLOAD_BYTES="abc": must be a whole number from 1024 to 1073741824'],
    [
      { MAX_UPLOAD_BYTES: '2147483648' },
      'MAX_UPLOAD_BYTES="2147483648": must be a whole number from 1024 to 1073741824',
    ],
    [{ PORT: ' 8080x' }, 'PORT=" 8080x": must be a whole number from 0 to 65535'],
    [{ STORAGE_DRIVER: 'ftp' }, 'STORAGE_DRIVER="ftp": must be one of disk, s3'],
    [{ STRIP_METADATA: 'maybe' }, 'STRIP_METADATA="maybe": must be true or false (or 1/0, yes/no)'],
    [{ S3_ENDPOINT: 'minio:9000' }, 'S3_ENDPOINT="minio:9000": must be an http:// or https:// URL'],
    [
      { CORS_ORIGINS: 'https://a.example,b.example' },
      'CORS_ORIGINS="https://a.example,b.example": must be a comma-separated list of origins with their protocol, e.g. https://app.example',
    ],
    [{ STORAGE_DRIVER: 's3' }, 'S3_BUCKET (unset): required when STORAGE_DRIVER=s3'],
    [{ LIST_MAX_LIMIT: '10' }, 'LIST_DEFAULT_LIMIT (default 20): must not exceed LIST_MAX_LIMIT (10)'],
    [{ CURSOR_SECRET: 'hunter2' }, 'CURSOR_SECRET=<7 characters>: must be at least 32 characters'],
  ])('reports %j as the variable, the value received and the rule, on one line', (env, line) => {
    try {
      loadConfig(env);
      expect.unreachable();
    } catch (error) {
      expect((error as ConfigValidationError).problems).toEqual([line]);
      expect((error as Error).message).toBe(`Invalid configuration:\n  ${line}`);
    }
  });

  it('never shows a secret it refuses', () => {
    expect(() => loadConfig({ CURSOR_SECRET: 'hunter2' })).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining('hunter2') }),
    );
  });

  it('reads every declared setting, those without a default included', () => {
    const config = loadConfig({
      CURSOR_SECRET: 'x'.repeat(32),
      LOG_FORMAT: 'json',
      S3_BUCKET: 'my-bucket',
      S3_ENDPOINT: 'http://127.0.0.1:9000',
      NODE_ENV: 'test',
    });
    expect(config).toMatchObject({
      CURSOR_SECRET: 'x'.repeat(32),
      LOG_FORMAT: 'json',
      S3_BUCKET: 'my-bucket',
      S3_ENDPOINT: 'http://127.0.0.1:9000',
      NODE_ENV: 'test',
    });
    expect(SETTING_NAMES).toEqual(
      expect.arrayContaining(['PORT', 'CURSOR_SECRET', 'LOG_FORMAT', 'S3_BUCKET', 'NODE_ENV']),
    );
    expect(SETTING_NAMES).not.toContain('logFormat');
  });

  it('reads variant presets and the eager ones, in the order given', () => {
    const defaults = loadConfig({});
    expect(defaults.variantPresets).toEqual([
      { name: 'thumb', size: 256 },
      { name: 'small', size: 640 },
      { name: 'medium', size: 1280 },
      { name: 'large', size: 2048 },
    ]);
    expect(defaults.eagerVariantPresets).toEqual([{ name: 'thumb', size: 256 }]);

    const custom = loadConfig({ IMAGE_VARIANTS: 'x-1:16, big:8192', IMAGE_VARIANTS_EAGER: 'big,x-1' });
    expect(custom.variantPresets).toEqual([
      { name: 'x-1', size: 16 },
      { name: 'big', size: 8192 },
    ]);
    expect(custom.eagerVariantPresets.map((preset) => preset.name)).toEqual(['x-1', 'big']);
    const sixteen = Array.from({ length: 16 }, (_, i) => `p${i}:100`).join(',');
    expect(loadConfig({ IMAGE_VARIANTS: sixteen, IMAGE_VARIANTS_EAGER: 'p0' }).variantPresets).toHaveLength(16);
    expect(loadConfig({ IMAGE_VARIANTS_EAGER: 'none' }).eagerVariantPresets).toEqual([]);
  });

  it('reports every problem at once', () => {
    try {
      loadConfig({ PORT: 'x', LOG_LEVEL: 'y' });
      expect.unreachable();
    } catch (error) {
      expect((error as ConfigValidationError).problems.join('\n')).toMatch(/PORT[\s\S]*LOG_LEVEL|LOG_LEVEL[\s\S]*PORT/);
    }
  });

  it('ignores unrelated environment variables', () => {
    expect(() => loadConfig({ PATH: '/usr/bin', HOME: '/root' })).not.toThrow();
  });
});
