import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { connect } from 'node:net';
import request from 'supertest';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { binaryBody } from '../test/binary-body';
import { imageFixtures } from '../test/image-fixtures';
import { rawRequest } from '../test/raw-request';
import { createTestApp, type TestApp } from '../test/test-app';

const MAX_UPLOAD_BYTES = 256 * 1024;
const MAX_IMAGE_PIXELS = 1_000_000;

describe('POST /images', () => {
  let t: TestApp;
  let before: string[];

  beforeAll(async () => {
    t = await createTestApp({ MAX_UPLOAD_BYTES: String(MAX_UPLOAD_BYTES), MAX_IMAGE_PIXELS: String(MAX_IMAGE_PIXELS) });
  });
  afterAll(() => t.close());
  beforeEach(async () => {
    before = await t.storedFiles();
  });

  const upload = (bytes: Buffer, filename = 'photo.png', field = 'file') =>
    request(t.server).post('/images').attach(field, bytes, { filename, contentType: 'application/octet-stream' });

  /** Every refusal must leave the store exactly as it was. */
  const expectRefused = async (response: request.Response, status: number, code: string) => {
    expect(response.status).toBe(status);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.body).toMatchObject({ statusCode: status, code, requestId: response.headers['x-request-id'] });
    expect(typeof response.body.message).toBe('string');
    expect(typeof response.body.error).toBe('string');
    expect(await t.storedFiles()).toEqual(before);
  };

  describe('accepts every allowed type, decided from the bytes', () => {
    it.each([
      ['png', imageFixtures.png, 'image/png'],
      ['jpeg', imageFixtures.jpeg, 'image/jpeg'],
      ['webp', imageFixtures.webp, 'image/webp'],
      ['gif', imageFixtures.gif, 'image/gif'],
      ['avif', imageFixtures.avif, 'image/avif'],
    ])('%s', async (_name, make, contentType) => {
      const response = await upload(await make(), 'misleading-name.txt');
      expect(response.status).toBe(201);
      expect(response.body.contentType).toBe(contentType);
      expect(response.headers.location).toBe(`/images/${response.body.id}`);
      expect(response.body.links).toEqual({
        self: `/images/${response.body.id}`,
        content: expect.stringMatching(
          new RegExp(`^/signed/images/${response.body.id}/content\\?expires=\\d+&signature=[\\w-]{43}$`),
        ),
        variants: Object.fromEntries(
          ['thumb', 'small', 'medium', 'large'].map((preset) => [
            preset,
            expect.stringMatching(
              new RegExp(`^/signed/images/${response.body.id}/variants/${preset}\\?expires=\\d+&signature=[\\w-]{43}$`),
            ),
          ]),
        ),
      });
      expect(response.body.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      const content = await request(t.server).get(response.body.links.content).buffer(true).parse(binaryBody);
      expect(content.status).toBe(200);
      expect(createHash('sha256').update(content.body).digest('hex')).toBe(response.body.sha256);
      expect(content.body.length).toBe(response.body.size);
    });
  });

  it('answers with the documented metadata', async () => {
    const response = await upload(await imageFixtures.png(64, 48), 'red.png');
    expect(response.body).toEqual({
      id: expect.any(String),
      contentType: 'image/png',
      size: expect.any(Number),
      width: 64,
      height: 48,
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      originalName: 'red.png',
      createdAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      placeholder: expect.stringMatching(/^[A-Za-z0-9+/]{20,60}={0,2}$/),
      variants: {
        thumb: { width: 64, height: 48 },
        small: { width: 64, height: 48 },
        medium: { width: 64, height: 48 },
        large: { width: 64, height: 48 },
      },
      links: expect.any(Object),
    });
  });

  it('removes GPS and other EXIF, keeping the orientation right', async () => {
    const original = await imageFixtures.jpegWithGpsAndOrientation();
    expect((await sharp(original).metadata()).exif).toBeDefined();
    const response = await upload(original, 'gps.jpg');
    expect(response.status).toBe(201);
    expect([response.body.width, response.body.height]).toEqual([20, 40]);
    const stored = await request(t.server).get(`/images/${response.body.id}/content`).buffer(true).parse(binaryBody);
    const metadata = await sharp(stored.body).metadata();
    expect(metadata.exif).toBeUndefined();
    expect(metadata.xmp).toBeUndefined();
    expect(metadata.orientation ?? 1).toBe(1);
    expect([metadata.width, metadata.height]).toEqual([20, 40]);
    expect(stored.body.includes(Buffer.from('TestCam'))).toBe(false);
  });

  describe('refuses what is not an allowed image (415) or not a sound one (422)', () => {
    it.each([
      ['SVG', imageFixtures.svg, 415, 'UNSUPPORTED_MEDIA_TYPE'],
      ['HTML', imageFixtures.html, 415, 'UNSUPPORTED_MEDIA_TYPE'],
      ['the EICAR test string', imageFixtures.eicar, 415, 'UNSUPPORTED_MEDIA_TYPE'],
      ['plain text named .png', async () => Buffer.from('hello, I am not a picture'), 415, 'UNSUPPORTED_MEDIA_TYPE'],
      [
        'a TIFF',
        () =>
          sharp({ create: { width: 4, height: 4, channels: 3, background: '#000' } })
            .tiff()
            .toBuffer(),
        415,
        'UNSUPPORTED_MEDIA_TYPE',
      ],
      ['HTML behind a GIF header', imageFixtures.gifHeaderThenHtml, 422, 'INVALID_IMAGE'],
      // file-type needs a PNG's IHDR chunk too, so a bare signature is not even recognised as PNG.
      ['HTML behind a PNG signature', imageFixtures.pngSignatureThenHtml, 415, 'UNSUPPORTED_MEDIA_TYPE'],
      ['a truncated JPEG', imageFixtures.truncated, 422, 'INVALID_IMAGE'],
    ])('%s', async (_name, make, status, code) => {
      await expectRefused(await upload(await make(), 'innocent.png'), status, code);
    });

    it('whatever Content-Type the part declares', async () => {
      const response = await request(t.server)
        .post('/images')
        .attach('file', imageFixtures.svg(), { filename: 'a.png', contentType: 'image/png' });
      await expectRefused(response, 415, 'UNSUPPORTED_MEDIA_TYPE');
    });
  });

  it('refuses a decompression bomb from its header (50000×50000 declared in 300 KB)', async () => {
    const bomb = imageFixtures.pngDeclaring(50_000, 50_000, 200 * 1024);
    // Every decode goes through a sharp output; a decode of 2.5 GP would allocate ~7.5 GB, so none may start.
    const decodes = [vi.spyOn(sharp.prototype, 'toBuffer'), vi.spyOn(sharp.prototype, 'stats')];
    try {
      const response = await upload(bomb, 'bomb.png');
      await expectRefused(response, 422, 'IMAGE_TOO_MANY_PIXELS');
      expect(response.body.message).toContain('2500000000'); // the declared count: only the header says it
      for (const decode of decodes) expect(decode).not.toHaveBeenCalled();
    } finally {
      for (const decode of decodes) decode.mockRestore();
    }
  });

  it('refuses a 1×500,000 strip: within the pixel limit, but over MAX_IMAGE_DIMENSION', async () => {
    await expectRefused(
      await upload(imageFixtures.pngDeclaring(1, 500_000, 64 * 1024), 'strip.png'),
      422,
      'IMAGE_TOO_LARGE_DIMENSIONS',
    );
  });

  it('refuses an image over the configured pixel limit', async () => {
    await expectRefused(await upload(await imageFixtures.png(1001, 1000)), 422, 'IMAGE_TOO_MANY_PIXELS');
  });

  describe('size limit (413)', () => {
    it('refuses a file over MAX_UPLOAD_BYTES', async () => {
      const big = Buffer.concat([await imageFixtures.png(), Buffer.alloc(MAX_UPLOAD_BYTES)]);
      await expectRefused(await upload(big), 413, 'PAYLOAD_TOO_LARGE');
    });

    it('refuses from the declared Content-Length, before reading the body', async () => {
      const raw = await rawRequest(t, [
        'POST /images HTTP/1.1',
        'Host: localhost',
        'Content-Type: multipart/form-data; boundary=x',
        `Content-Length: ${MAX_UPLOAD_BYTES * 100}`,
        'Connection: close',
        '',
        '--x\r\n',
      ]);
      expect(raw.status).toBe(413);
      expect(JSON.parse(raw.body)).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
      expect(await t.storedFiles()).toEqual(before);
    });

    it('closes the connection after a 413, instead of reading a body it has refused', async () => {
      // No "Connection: close" from the client and most of the declared body never sent: the response only
      // completes (the socket closes) if the server gives up on the connection.
      const raw = await rawRequest(t, [
        'POST /images HTTP/1.1',
        'Host: localhost',
        'Content-Type: multipart/form-data; boundary=x',
        `Content-Length: ${MAX_UPLOAD_BYTES * 100}`,
        '',
        '--x\r\n',
      ]);
      expect(raw.status).toBe(413);
      expect(raw.head).toMatch(/^connection: close$/im);
    });

    it('answers 413 to a chunked body that never ends, without waiting for it to finish', async () => {
      const { status, sentBytes } = await floodChunked(t, 64 * 1024 * 1024);
      expect(status).toBe(413);
      // The answer came while the client was still sending, long before its 64 MB flood was done.
      expect(sentBytes).toBeLessThan(64 * 1024 * 1024);
      expect(await t.storedFiles()).toEqual(before);
    });

    it('refuses a chunked body that grows past the limit', async () => {
      const chunk = 'x'.repeat(64 * 1024);
      const part = `--b\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n`;
      const lines = [
        'POST /images HTTP/1.1',
        'Host: localhost',
        'Content-Type: multipart/form-data; boundary=b',
        'Transfer-Encoding: chunked',
        'Connection: close',
        '',
      ];
      const chunks = [part, ...Array.from({ length: 8 }, () => chunk), '\r\n--b--\r\n'];
      const raw = await rawRequest(t, lines, chunks);
      expect(raw.status).toBe(413);
      expect(await t.storedFiles()).toEqual(before);
    });
  });

  describe('malformed requests (400)', () => {
    it('empty body', async () => {
      await expectRefused(await request(t.server).post('/images'), 400, 'MISSING_FILE');
    });

    it('multipart with no parts', async () => {
      const response = await request(t.server)
        .post('/images')
        .set('Content-Type', 'multipart/form-data; boundary=z')
        .send('--z--\r\n');
      await expectRefused(response, 400, 'MISSING_FILE');
    });

    it('zero-byte file', async () => {
      await expectRefused(await upload(Buffer.alloc(0)), 400, 'EMPTY_FILE');
    });

    it('missing file part (only a text field)', async () => {
      await expectRefused(await request(t.server).post('/images').field('note', 'hi'), 400, 'MISSING_FILE');
    });

    it('misnamed file part', async () => {
      await expectRefused(await upload(await imageFixtures.png(), 'a.png', 'image'), 400, 'MISSING_FILE');
    });

    it('two files', async () => {
      const png = await imageFixtures.png();
      const response = await request(t.server)
        .post('/images')
        .attach('file', png, 'a.png')
        .attach('file', png, 'b.png');
      await expectRefused(response, 400, 'TOO_MANY_FILES');
    });

    it('unterminated multipart', async () => {
      const png = await imageFixtures.png();
      const body = Buffer.concat([
        Buffer.from(
          '--b\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n',
        ),
        png,
      ]);
      const response = await request(t.server)
        .post('/images')
        .set('Content-Type', 'multipart/form-data; boundary=b')
        .send(body);
      await expectRefused(response, 400, 'INVALID_MULTIPART');
    });

    it('multipart without a boundary', async () => {
      const response = await request(t.server)
        .post('/images')
        .set('Content-Type', 'multipart/form-data')
        .send('garbage');
      await expectRefused(response, 400, 'INVALID_MULTIPART');
    });

    it('a body that is not multipart (415)', async () => {
      const response = await request(t.server)
        .post('/images')
        .set('Content-Type', 'image/png')
        .send(await imageFixtures.png());
      await expectRefused(response, 415, 'UNSUPPORTED_MEDIA_TYPE');
    });
  });

  describe('hostile file names are kept only as sanitized metadata', () => {
    it.each([
      ['../../etc/passwd.png', 'passwd.png'],
      ['..\\..\\windows\\win.ini.png', 'win.ini.png'],
      ['photo\u202Egnp.exe', 'photognp.exe'],
      ['<img src=x onerror=alert(1)>.png', '<img src=x onerror=alert(1)>.png'],
      ['line\r\nX-Injected: 1.png', 'line X-Injected: 1.png'],
      ['...', null],
      ['ünïcödé 写真.png', 'ünïcödé 写真.png'],
    ])('%j', async (name, expected) => {
      const response = await upload(await imageFixtures.png(), name);
      expect(response.status).toBe(201);
      expect(response.body.originalName).toBe(expected);
      const files = await t.storedFiles();
      expect(files).toEqual(
        expect.arrayContaining([`${response.body.id}/content`, `${response.body.id}/metadata.json`]),
      );
      expect(
        files.every((file) => /^[0-9a-f-]{36}\/(variants\/thumb\.avif\/)?(content|metadata\.json)$/.test(file)),
      ).toBe(true);
      const content = await request(t.server).get(`/images/${response.body.id}/content`);
      expect(content.headers['content-disposition']).toMatch(
        new RegExp(`^inline; filename="?${response.body.id}\\.png"?$`),
      );
    });

    it('strips control characters that arrive percent-encoded (RFC 5987 filename*)', async () => {
      const body = Buffer.concat([
        Buffer.from(
          '--b\r\nContent-Disposition: form-data; name="file"; filename*=UTF-8\'\'bell%07and%1B%00escape%E2%80%AE.png\r\n' +
            'Content-Type: image/png\r\n\r\n',
        ),
        await imageFixtures.png(),
        Buffer.from('\r\n--b--\r\n'),
      ]);
      const response = await request(t.server)
        .post('/images')
        .set('Content-Type', 'multipart/form-data; boundary=b')
        .send(body);
      expect(response.status).toBe(201);
      expect(response.body.originalName).toBe('bellandescape.png');
    });

    it('refuses raw control characters in the part header as malformed multipart', async () => {
      await expectRefused(await upload(await imageFixtures.png(), 'bell\u0007.png'), 400, 'INVALID_MULTIPART');
    });

    it('refuses a NUL byte in the part header as malformed multipart', async () => {
      await expectRefused(await upload(await imageFixtures.png(), 'evil\u0000name.png'), 400, 'INVALID_MULTIPART');
    });

    it('cuts a 2,000-character name to MAX_ORIGINAL_NAME_LENGTH', async () => {
      const response = await upload(await imageFixtures.png(), `${'a'.repeat(1996)}.png`);
      expect(response.status).toBe(201);
      expect([...response.body.originalName].length).toBe(255);
    });
  });

  it('50 concurrent uploads give 50 distinct ids, each readable afterwards', async () => {
    const images = await Promise.all(Array.from({ length: 50 }, (_, i) => imageFixtures.png(8 + i, 8)));
    const responses = await Promise.all(images.map((bytes, i) => upload(bytes, `c${i}.png`)));
    expect(responses.map((r) => r.status)).toEqual(Array(50).fill(201));
    const ids = new Set(responses.map((r) => r.body.id as string));
    expect(ids.size).toBe(50);
    const reads = await Promise.all([...ids].map((id) => request(t.server).get(`/images/${id}`)));
    expect(reads.map((r) => r.status)).toEqual(Array(50).fill(200));
    expect(reads.map((r) => r.body.width).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => 8 + i));
  });
});

/** Sends a chunked multipart body, 64 KB at a time, until the server answers or `maxBytes` are sent. */
async function floodChunked(t: TestApp, maxBytes: number): Promise<{ status: number; sentBytes: number }> {
  if (!t.server.address()) await new Promise<void>((resolve) => t.server.listen(0, '127.0.0.1', resolve));
  const { port } = t.server.address() as { port: number };
  const socket = connect(port, '127.0.0.1');
  let received = '';
  let sentBytes = 0;
  socket.on('data', (data) => (received += data.toString('latin1')));
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => socket.once('connect', resolve));
  socket.write(
    'POST /images HTTP/1.1\r\nHost: localhost\r\nContent-Type: multipart/form-data; boundary=b\r\n' +
      'Transfer-Encoding: chunked\r\n\r\n',
  );
  const part = '--b\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n\r\n';
  socket.write(`${Buffer.byteLength(part).toString(16)}\r\n${part}\r\n`);
  const chunk = Buffer.alloc(64 * 1024, 0x61);
  while (!received && !socket.destroyed && sentBytes < maxBytes) {
    const flushed = socket.write(`${chunk.length.toString(16)}\r\n`) && socket.write(chunk) && socket.write('\r\n');
    sentBytes += chunk.length;
    // Paced like a fast network rather than a tight loop, so this process also gets to read the answer.
    await new Promise((resolve) => setTimeout(resolve, flushed ? 2 : 10));
  }
  await new Promise<void>((resolve) => (socket.destroyed ? resolve() : socket.once('close', () => resolve())));
  return { status: Number(/^HTTP\/1\.1 (\d{3})/.exec(received)?.[1]), sentBytes };
}
