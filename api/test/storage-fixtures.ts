import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { v7 as uuidv7 } from 'uuid';
import type { ImageRecord } from '../images/image-record';
import type { VariantRecord } from '../images/variants/variant-record';

/** Records and bodies for storage tests; bytes need not be real images, adapters never look inside. */
export function sampleImage(overrides: Partial<ImageRecord> & { size?: number } = {}): {
  record: ImageRecord;
  bytes: Buffer;
} {
  const bytes = randomBytes(overrides.size ?? 2048);
  const record: ImageRecord = {
    id: uuidv7(),
    contentType: 'image/png',
    width: 640,
    height: 480,
    originalName: 'holiday photo.png',
    createdAt: new Date().toISOString(),
    placeholder: 'mxgKFYJ4eHiPeHdwd4eId3h3hwAAAAAA',
    animated: false,
    ...overrides,
    size: bytes.length,
    sha256: sha256(bytes),
  };
  return { record, bytes };
}

/** A stored variant's record and bytes (`name` as in `variantName`). */
export function sampleVariant(
  name: string,
  overrides: Partial<VariantRecord> & { size?: number } = {},
): { record: VariantRecord; bytes: Buffer } {
  const bytes = randomBytes(overrides.size ?? 1024);
  const record: VariantRecord = {
    name,
    contentType: 'image/webp',
    width: 256,
    height: 192,
    createdAt: new Date().toISOString(),
    ...overrides,
    size: bytes.length,
    sha256: sha256(bytes),
  };
  return { record, bytes };
}

/** As an upload arrives: in several chunks, not one buffer. */
export function chunked(bytes: Buffer, chunkSize = 16 * 1024): Readable {
  const chunks: Buffer[] = [];
  for (let offset = 0; offset < bytes.length; offset += chunkSize)
    chunks.push(bytes.subarray(offset, offset + chunkSize));
  return Readable.from(chunks, { objectMode: false });
}

/** Delivers the first half, then fails as a dropped client connection would. */
export function failingMidway(bytes: Buffer, error: Error): Readable {
  let sent = false;
  return new Readable({
    read() {
      if (!sent) {
        sent = true;
        this.push(bytes.subarray(0, Math.floor(bytes.length / 2)));
        return;
      }
      setTimeout(() => this.destroy(error), 20);
    },
  });
}

export async function readAll(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks);
}

export const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
