import type { Readable } from 'node:stream';
import { PutObjectCommand, type GetObjectCommandOutput } from '@aws-sdk/client-s3';
import pLimit from 'p-limit';
import type { ImageRecord } from '../image-record';
import type { ByteRange, OpenedVariant } from '../image-storage';
import { assertVariantAddress, isVariantAddress, type VariantRecord } from '../variants/variant-record';
import type { S3Bucket } from './s3-bucket';
import { variantKey, VARIANTS_PREFIX } from './s3-keys';
import { fromVariantMetadata, toVariantMetadata } from './s3-object-metadata';

const VARIANT_DELETES_IN_PARALLEL = 16;

/**
 * Variants live at `variants/<image id>/<name>`. No variant outlives its image, even one written while the image
 * is deleted, by ordering: the image's delete removes the original first and then lists and removes the
 * variants; `put` writes the variant first and then checks the original still exists, removing its own write if
 * not. Either that check runs after the original was deleted (and the writer removes the variant), or it ran
 * before, so the variant was written before the delete began listing variants, and S3's strongly consistent
 * listing hands it to the delete.
 */
export class S3Variants {
  constructor(
    private readonly bucket: S3Bucket,
    private readonly headImage: (id: string) => Promise<ImageRecord | undefined>,
  ) {}

  async put(imageId: string, record: VariantRecord, body: Readable): Promise<boolean> {
    assertVariantAddress(imageId, record.name);
    // Variants are small and made in memory; reading the body first means a failing one writes nothing.
    // The service passes one buffer: used as is, not copied by a concat of one.
    const chunks: Buffer[] = await body.toArray();
    const bytes = chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
    const key = variantKey(imageId, record.name);
    const written = this.bucket.call(
      (abortSignal) =>
        this.bucket.client.send(
          new PutObjectCommand({
            Bucket: this.bucket.name,
            Key: key,
            Body: bytes,
            ContentType: record.contentType,
            ChecksumSHA256: Buffer.from(record.sha256, 'hex').toString('base64'),
            Metadata: toVariantMetadata(record),
          }),
          { abortSignal },
        ),
      'putVariant',
    );
    // A timed-out PUT may still land; as for originals, a write reported failed must not appear later.
    await written.catch(async (error: unknown) => {
      await this.bucket.deleteKey(key, 'putVariant rollback').catch(() => undefined);
      throw error;
    });
    if (await this.headImage(imageId)) return true;
    await this.bucket.deleteKey(key, 'putVariant rollback');
    return false;
  }

  async head(imageId: string, name: string): Promise<VariantRecord | undefined> {
    if (!isVariantAddress(imageId, name)) return undefined;
    const output = await this.bucket.headObject(variantKey(imageId, name), 'headVariant');
    return output && fromVariantMetadata(name, output);
  }

  async open(imageId: string, name: string): Promise<OpenedVariant | undefined> {
    return openedWith(await this.getObject(imageId, name), (output) => fromVariantMetadata(name, output));
  }

  async openBytes(imageId: string, name: string, range?: ByteRange): Promise<Readable | undefined> {
    return (await this.getObject(imageId, name, range))?.Body as Readable | undefined;
  }

  /** Every variant of an image, page by page; at most presets × formats objects. */
  async deleteAll(imageId: string): Promise<void> {
    const deletes = pLimit(VARIANT_DELETES_IN_PARALLEL);
    let continuationToken: string | undefined;
    do {
      const page = await this.bucket.listPage(`${VARIANTS_PREFIX}${imageId}/`, 1000, continuationToken);
      const keys = (page?.Contents ?? []).flatMap((object) => (object.Key ? [object.Key] : []));
      await Promise.all(keys.map((key) => deletes(() => this.bucket.deleteKey(key, 'deleteVariants'))));
      continuationToken = page?.IsTruncated ? page.NextContinuationToken : undefined;
    } while (continuationToken);
  }

  private async getObject(imageId: string, name: string, range?: ByteRange) {
    if (!isVariantAddress(imageId, name)) return undefined;
    return this.bucket.getObject(variantKey(imageId, name), 'openVariant', range);
  }
}

/** A fetched object with the record its metadata describes; closes the body of one this service did not write. */
export function openedWith<T>(
  output: GetObjectCommandOutput | undefined,
  recordOf: (output: GetObjectCommandOutput) => T | undefined,
): { record: T; body: Readable } | undefined {
  if (!output?.Body) return undefined;
  const body = output.Body as Readable;
  const record = recordOf(output);
  if (!record) {
    body.destroy();
    return undefined;
  }
  return { record, body };
}
