import type { IdempotencyRecord, StoredIdempotencyKey } from '../image-storage';
import type { ImageRecord } from '../image-record';
import { KEYS_PREFIX, PENDING_PREFIX } from './s3-keys';
import type { S3Bucket } from './s3-bucket';

const GENERATION_DIGITS = 8;
const KEYS_PER_SWEEP = 1000;

const generationKey = (keyHash: string, generation: number) =>
  `${KEYS_PREFIX}${keyHash}/${String(generation).padStart(GENERATION_DIGITS, '0')}`;

/**
 * Idempotency keys kept in the bucket, so every instance sees them. S3 has no compare-and-swap on overwrite
 * (RGW 16 refuses `If-Match` on PUT), so a key is a series of generations, each created at most once with
 * `If-None-Match: *`: claiming the next generation is the atomic step, and the newest one is the key's state.
 */
export class S3IdempotencyKeys {
  constructor(
    private readonly bucket: S3Bucket,
    private readonly ttlMs: number,
    private readonly headImage: (id: string) => Promise<ImageRecord | undefined>,
  ) {}

  async find(keyHash: string): Promise<StoredIdempotencyKey | undefined> {
    const latest = await this.latestGeneration(keyHash);
    if (!latest) return undefined;
    const output = await this.bucket.getObject(latest.key, 'read key');
    if (!output?.Body) return undefined;
    const record = JSON.parse(await output.Body.transformToString()) as IdempotencyRecord;
    const [image, pending] = await Promise.all([
      this.headImage(record.imageId),
      this.bucket.exists(PENDING_PREFIX + record.imageId, 'read key'),
    ]);
    return { record, version: String(latest.generation), ...(image && !pending ? { image } : {}) };
  }

  async claim(keyHash: string, record: IdempotencyRecord, replacesVersion?: string): Promise<boolean> {
    const generation = replacesVersion === undefined ? 0 : Number(replacesVersion) + 1;
    const claimed = await this.bucket.createIfAbsent(
      generationKey(keyHash, generation),
      'claim key',
      JSON.stringify(record),
    );
    if (claimed && generation > 0) {
      await this.bucket.deleteKey(generationKey(keyHash, generation - 1), 'claim key').catch(() => undefined);
    }
    return claimed;
  }

  async release(keyHash: string): Promise<void> {
    const latest = await this.latestGeneration(keyHash);
    if (latest) await this.bucket.deleteKey(latest.key, 'release key');
  }

  /** Removes keys older than their time to live, a bounded number per call; returns how many. */
  async sweepExpired(now: number): Promise<number> {
    let expired = 0;
    for (const key of await this.bucket.listKeys(KEYS_PREFIX, KEYS_PER_SWEEP)) {
      const age = now - (key.LastModified?.getTime() ?? now);
      if (age > this.ttlMs && key.Key) {
        await this.bucket.deleteKey(key.Key, 'sweep');
        expired += 1;
      }
    }
    return expired;
  }

  private async latestGeneration(keyHash: string): Promise<{ key: string; generation: number } | undefined> {
    const prefix = `${KEYS_PREFIX}${keyHash}/`;
    const keys = (await this.bucket.listKeys(prefix, 1000)).map((object) => object.Key ?? '').sort();
    const key = keys[keys.length - 1];
    return key ? { key, generation: Number(key.slice(prefix.length)) } : undefined;
  }
}
