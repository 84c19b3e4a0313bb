import { describe, expect, it } from 'vitest';
import { AppSignedLinks } from './app-signed-links';
import { windowedExpiry } from './link-expiry';

const ID = '01936f8e-7b3c-7c1e-9a4e-3f2b1c0d9e8f';
const OTHER = '01936f8e-7b3c-7c1e-9a4e-3f2b1c0d9e90';
const SECRET = 'a-test-secret-that-is-long-enough-0123456789';

function parse(link: string) {
  const url = new URL(link, 'http://local');
  return {
    path: url.pathname.replace(/^\/dev/, '').replace(/^\/signed/, ''),
    expires: url.searchParams.get('expires') ?? undefined,
    signature: url.searchParams.get('signature') ?? undefined,
  };
}

describe(windowedExpiry.name, () => {
  it('is at least the TTL away, at most a quarter more, and constant within a window', () => {
    const ttl = 3600;
    const start = Date.UTC(2026, 11, 2, 18, 0, 1);
    const seen = new Set<number>();
    for (let offset = 0; offset < 2 * ttl - 1; offset += 7) {
      const now = start + offset * 1000;
      const expiry = windowedExpiry(now, ttl);
      expect(expiry - Math.floor(now / 1000)).toBeGreaterThanOrEqual(ttl);
      expect(expiry - Math.floor(now / 1000)).toBeLessThanOrEqual(ttl + ttl / 4);
      seen.add(expiry);
    }
    // Two hours of requests yield eight distinct expiries (one per 15-minute window), not thousands.
    expect(seen.size).toBe(8);
  });
});

describe(AppSignedLinks.name, () => {
  let now = Date.UTC(2026, 11, 2, 18, 0, 30);
  const links = new AppSignedLinks(SECRET, 3600, () => now);

  it('links under the base path and the /signed prefix, for that image and representation', () => {
    const link = links.linkTo(ID, { kind: 'original' }, '/dev');
    expect(link).toMatch(new RegExp(`^/dev/signed/images/${ID}/content\\?expires=\\d+&signature=[\\w-]{43}$`));
    const { path, expires, signature } = parse(link);
    expect(links.check(path, expires, signature)).toBe('valid');
  });

  it('gives the same link within a window and a new one after it', () => {
    const first = links.linkTo(ID, { kind: 'original' }, '');
    now += 60_000;
    expect(links.linkTo(ID, { kind: 'original' }, '')).toBe(first);
    now += 900_000;
    expect(links.linkTo(ID, { kind: 'original' }, '')).not.toBe(first);
  });

  it('refuses another image, another representation, a changed expiry or signature, another key', () => {
    const { path, expires, signature } = parse(links.linkTo(ID, { kind: 'original' }, ''));
    expect(links.check(path.replace(ID, OTHER), expires, signature)).toBe('invalid');
    expect(links.check(`/images/${ID}/variants/thumb`, expires, signature)).toBe('invalid');
    expect(links.check(path, String(Number(expires) + 3600), signature)).toBe('invalid');
    expect(links.check(path, expires, `${signature!.slice(0, -1)}${signature!.endsWith('A') ? 'B' : 'A'}`)).toBe(
      'invalid',
    );
    expect(links.check(path, expires, undefined)).toBe('invalid');
    expect(links.check(path, undefined, signature)).toBe('invalid');
    expect(links.check(path, '1e9', signature)).toBe('invalid');
    expect(new AppSignedLinks(`${SECRET}x`, 3600, () => now).check(path, expires, signature)).toBe('invalid');
  });

  it('answers expired once the expiry has passed, and only for a genuine link', () => {
    const { path, expires, signature } = parse(links.linkTo(ID, { kind: 'original' }, ''));
    now = Number(expires) * 1000;
    expect(links.check(path, expires, signature)).toBe('expired');
    expect(links.check(path, expires, 'forged')).toBe('invalid');
  });

  it('signs a variant by its preset path: not the original, not another preset', () => {
    const { path, expires, signature } = parse(
      links.linkTo(ID, { kind: 'variant', preset: 'thumb', fallback: 'png', animated: false }, ''),
    );
    expect(path).toBe(`/images/${ID}/variants/thumb`);
    expect(links.check(path, expires, signature)).toBe('valid');
    expect(links.check(`/images/${ID}/content`, expires, signature)).toBe('invalid');
    expect(links.check(`/images/${ID}/variants/large`, expires, signature)).toBe('invalid');
  });
});
