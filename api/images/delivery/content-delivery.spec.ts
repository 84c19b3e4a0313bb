import { Readable } from 'node:stream';
import { describe, expect, it, vi } from 'vitest';
import { ContentDelivery } from './content-delivery';
import type { ByteRange } from '../image-storage';
import type { OpenedRepresentation, Representation, RepresentationSource } from './representation';
import type { RequestConditions } from './request-conditions';

const representation: Representation = {
  contentType: 'image/png',
  size: 1000,
  sha256: 'ab'.repeat(32),
  createdAt: '2026-12-01T10:00:00.000Z',
  fileName: 'x.png',
};

function countingSource(overrides: Partial<RepresentationSource> = {}) {
  const bodies: Readable[] = [];
  const body = () => {
    const stream = Readable.from([Buffer.alloc(10)]);
    bodies.push(stream);
    return stream;
  };
  const base = {
    head: vi.fn(async (): Promise<Representation | undefined> => representation),
    open: vi.fn(async () => ({ representation, body: body() }) as OpenedRepresentation | undefined),
    openBytes: vi.fn(async (_range?: ByteRange): Promise<Readable | undefined> => body()),
    redirectFor: vi.fn(async (_r: Representation): Promise<string | undefined> => undefined),
    notFound: () => new Error('not found'),
  } satisfies RepresentationSource;
  return { source: { ...base, ...overrides } as typeof base, bodies };
}

const GET: RequestConditions = { method: 'GET' };
const present = () => true;
const delivery = new ContentDelivery();

describe(ContentDelivery.name, () => {
  it('answers an unconditional GET with one storage call that brings metadata and bytes', async () => {
    const { source } = countingSource();
    const answer = await delivery.deliver(source, GET, present);
    expect(answer).toMatchObject({ kind: 'send', representation });
    expect(source.open).toHaveBeenCalledTimes(1);
    expect(source.head).not.toHaveBeenCalled();
    expect(source.openBytes).not.toHaveBeenCalled();
  });

  it('reads the metadata once for a conditional, ranged GET, then only the range of bytes', async () => {
    const { source } = countingSource();
    const answer = await delivery.deliver(
      source,
      { method: 'GET', ifNoneMatch: '"other"', range: 'bytes=10-19' },
      present,
    );
    expect(answer).toMatchObject({ kind: 'send', range: { start: 10, end: 19 } });
    expect(source.head).toHaveBeenCalledTimes(1);
    expect(source.open).not.toHaveBeenCalled();
    expect(source.openBytes).toHaveBeenCalledExactlyOnceWith({ start: 10, end: 19 });
  });

  it('answers HEAD from the metadata alone, never opening bytes or signing a redirect', async () => {
    const { source } = countingSource({ redirectFor: vi.fn(async () => 'https://store/x') });
    const answer = await delivery.deliver(source, { method: 'HEAD' }, present);
    expect(answer).toEqual({ kind: 'send', representation, range: undefined });
    expect(source.openBytes).not.toHaveBeenCalled();
    expect(source.open).not.toHaveBeenCalled();
    expect(source.redirectFor).not.toHaveBeenCalled();
  });

  it.each([
    ['304 for a matching If-None-Match', { ifNoneMatch: `"${representation.sha256}"` }, 'not-modified'],
    ['412 for a failed If-Match', { ifMatch: '"other"' }, 'precondition-failed'],
    ['416 for a range past the end', { range: 'bytes=5000-' }, 'range-not-satisfiable'],
  ] as const)('decides %s without opening bytes', async (_name, headers, kind) => {
    const { source } = countingSource();
    const answer = await delivery.deliver(source, { method: 'GET', ...headers }, present);
    expect(answer.kind).toBe(kind);
    expect(source.openBytes).not.toHaveBeenCalled();
    expect(source.open).not.toHaveBeenCalled();
  });

  it('opens nothing for a client that is already gone', async () => {
    const { source } = countingSource();
    for (const conditions of [GET, { method: 'GET', range: 'bytes=0-1' } as const]) {
      expect(await delivery.deliver(source, conditions, () => false)).toEqual({ kind: 'client-gone' });
    }
    expect(source.head).not.toHaveBeenCalled();
    expect(source.open).not.toHaveBeenCalled();
    expect(source.openBytes).not.toHaveBeenCalled();
  });

  it.each([
    ['an unconditional GET', GET],
    ['a ranged GET', { method: 'GET', range: 'bytes=0-1' } as const],
  ])('destroys what it opened when the client leaves while storage was opening (%s)', async (_name, conditions) => {
    let connected = true;
    const { source, bodies } = countingSource();
    source.open.mockImplementation(async () => {
      connected = false;
      return { representation, body: Readable.from([Buffer.alloc(1)]) };
    });
    source.openBytes.mockImplementation(async () => {
      connected = false;
      const stream = Readable.from([Buffer.alloc(1)]);
      bodies.push(stream);
      return stream;
    });
    const answer = await delivery.deliver(source, conditions, () => connected);
    expect(answer).toEqual({ kind: 'client-gone' });
    const opened = [...bodies, ...(await Promise.all(source.open.mock.results.map((r) => r.value))).map((o) => o.body)];
    expect(opened.length).toBeGreaterThan(0);
    expect(opened.every((body) => body.destroyed)).toBe(true);
  });

  it('redirects a representation too big to pass through, and closes the body it had opened', async () => {
    const { source, bodies } = countingSource({ redirectFor: vi.fn(async () => 'https://store/x') });
    expect(await delivery.deliver(source, GET, present)).toEqual({ kind: 'redirect', url: 'https://store/x' });
    expect(bodies).toHaveLength(1);
    expect(bodies[0].destroyed).toBe(true);
  });

  it('answers the source’s own not-found error when the representation does not exist', async () => {
    const { source } = countingSource({ head: vi.fn(async () => undefined), open: vi.fn(async () => undefined) });
    await expect(delivery.deliver(source, GET, present)).rejects.toThrow('not found');
    await expect(delivery.deliver(source, { method: 'HEAD' }, present)).rejects.toThrow('not found');
  });
});
