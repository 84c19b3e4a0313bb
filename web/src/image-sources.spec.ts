import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { Image } from './api-types';
import { sourceOf } from './image-sources';

const base: Image = {
  id: '01936f8e-7b3c-7c1e-9a4e-3f2b1c0d9e8f',
  contentType: 'image/png',
  size: 1000,
  width: 3000,
  height: 2000,
  sha256: 'a'.repeat(64),
  originalName: 'a.png',
  createdAt: '2026-12-01T00:00:00.000Z',
  links: { self: '/local/images/x', content: '/local/images/x/content' },
};

describe(sourceOf.name, () => {
  beforeAll(() => vi.stubGlobal('document', { baseURI: 'http://127.0.0.1:3001/local/' }));

  it('falls back to the original without variants', () => {
    expect(sourceOf(base, ['small'])).toEqual({ src: 'http://127.0.0.1:3001/local/images/x/content', srcset: '' });
  });

  it('takes the first preferred preset and lists every preset with a known width, narrowest first', () => {
    const image: Image = {
      ...base,
      links: { ...base.links, variants: { large: '/local/v/large', thumb: '/local/v/thumb', small: '/local/v/small' } },
      variants: {
        thumb: { width: 256, height: 192 },
        small: { width: 640, height: 480 },
        large: { width: 2048, height: 1536 },
      },
    };
    expect(sourceOf(image, ['medium', 'small'])).toEqual({
      src: 'http://127.0.0.1:3001/local/v/small',
      srcset:
        'http://127.0.0.1:3001/local/v/thumb 256w, http://127.0.0.1:3001/local/v/small 640w, http://127.0.0.1:3001/local/v/large 2048w',
    });
  });

  it('offers no srcset when the widths are unknown', () => {
    const image: Image = { ...base, links: { ...base.links, variants: { small: '/local/v/small' } } };
    expect(sourceOf(image, ['small'])).toEqual({ src: 'http://127.0.0.1:3001/local/v/small', srcset: '' });
  });
});
