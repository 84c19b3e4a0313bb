import { describe, expect, it } from 'vitest';
import { AppConfig, ConfigValidationError, loadConfig } from './app-config';

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
    [{ CONTENT_LINK_TTL_SECONDS: '59' }, 'CONTENT_LINK_TTL_SECONDS'],
    [{ CONTENT_LINK_SECRET: 'short' }, 'CONTENT_LINK_SECRET'],
    [{ CDN_SETTINGS_PARAMETER: '/imagestore-dev/cdn/settings' }, 'CDN_SIGNING_KEY_SECRET'],
    [{ CDN_SIGNING_KEY_SECRET: 'imagestore-dev/cdn/signing-key/k' }, 'CDN_SETTINGS_PARAMETER'],
    [{ CDN_SETTINGS_PARAMETER: 'no-leading-slash', CDN_SIGNING_KEY_SECRET: 'k' }, 'CDN_SETTINGS_PARAMETER'],
  ])('refuses %j with a message naming %s', (env, variable) => {
    expect(() => loadConfig(env)).toThrow(ConfigValidationError);
    expect(() => loadConfig(env)).toThrow(variable);
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
