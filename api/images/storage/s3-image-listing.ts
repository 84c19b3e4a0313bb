import type { _Object, HeadObjectCommandOutput } from '@aws-sdk/client-s3';
import pLimit from 'p-limit';
import { IMAGE_ID_PATTERN, type ImageRecord } from '../image-record';
import type { ImagePage, ListImagesQuery } from '../image-storage';
import type { RecordCache } from './record-cache';
import type { S3Bucket } from './s3-bucket';
import { IMAGES_PREFIX } from './s3-keys';
import { fromObjectMetadata } from './s3-object-metadata';

/** HEADs of listed keys missing from the cache, across all concurrent listings of the process. */
const HEADS_IN_PARALLEL = 16;

interface ListedImage {
  readonly id: string;
  /** ETag, LastModified (ms) and size as the listing shows them; undefined when the listing omits one. */
  readonly version?: string;
  readonly object: _Object;
}

/**
 * `images/` a page at a time. S3 listings carry no user metadata, so each record needs a HEAD, unless the record
 * cache holds it for the very object the listing shows (same ETag, LastModified and size): the listing itself
 * proves the image exists, so a delete anywhere is seen, and a replaced object does not match. A key deleted
 * between the LIST and its HEAD is skipped.
 */
export class S3ImageListing {
  private readonly heads = pLimit(HEADS_IN_PARALLEL);

  constructor(
    private readonly bucket: S3Bucket,
    private readonly cache: RecordCache,
  ) {}

  async list({ limit, continuationToken }: ListImagesQuery): Promise<ImagePage> {
    const page = await this.bucket.listPage(IMAGES_PREFIX, limit, continuationToken);
    const listed = (page?.Contents ?? []).flatMap((object): ListedImage[] => {
      const id = object.Key?.slice(IMAGES_PREFIX.length) ?? '';
      return IMAGE_ID_PATTERN.test(id) ? [{ id, version: listedVersion(object), object }] : [];
    });
    const records = await Promise.all(
      listed.map(
        (image) =>
          (image.version !== undefined && this.cache.get(image.id, image.version)) ||
          this.heads(() => this.headListed(image)),
      ),
    );
    const next = page?.IsTruncated ? page.NextContinuationToken : undefined;
    return {
      items: records.filter((record): record is ImageRecord => record !== undefined),
      ...(next ? { continuationToken: next } : {}),
    };
  }

  private async headListed({ id, version, object }: ListedImage): Promise<ImageRecord | undefined> {
    const output = await this.bucket.headObject(IMAGES_PREFIX + id, 'head');
    if (!output) {
      this.cache.delete(id);
      return undefined;
    }
    const record = fromObjectMetadata(id, output);
    // Remembered under the listed version only if the HEAD saw that same object, not one that replaced it since.
    if (record && version !== undefined && isSameObject(object, output)) this.cache.set(id, version, record);
    return record;
  }
}

function listedVersion({ ETag, LastModified, Size }: _Object): string | undefined {
  if (ETag === undefined || LastModified === undefined || Size === undefined) return undefined;
  return `${ETag} ${LastModified.getTime()} ${Size}`;
}

/** A HEAD's Last-Modified is an HTTP date, whole seconds; a listing's may carry milliseconds. */
function isSameObject(listed: _Object, head: HeadObjectCommandOutput): boolean {
  const listedSeconds = Math.floor((listed.LastModified?.getTime() ?? NaN) / 1000);
  const headSeconds = Math.floor((head.LastModified?.getTime() ?? NaN) / 1000);
  return listed.ETag === head.ETag && listed.Size === head.ContentLength && listedSeconds === headSeconds;
}
