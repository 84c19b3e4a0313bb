import type { HeadObjectCommandOutput } from '@aws-sdk/client-s3';
import { isAllowedImageType, type ImageRecord } from '../image-record';

const METADATA_VERSION = '1';

/** The record beside the bytes, as S3 user metadata (so a HEAD is a metadata read and no second store exists). */
export function toObjectMetadata(record: ImageRecord): Record<string, string> {
  // S3 metadata travels as HTTP headers: ASCII only, so the free-text name is base64url-encoded (below).
  return {
    'record-version': METADATA_VERSION,
    size: String(record.size),
    width: String(record.width),
    height: String(record.height),
    sha256: record.sha256,
    'created-at': record.createdAt,
    // base64url of UTF-8: ≤ 4/3 of the bytes, so a 255-character name always fits S3's 2 KB metadata limit.
    ...(record.originalName === null
      ? {}
      : { 'original-name': Buffer.from(record.originalName).toString('base64url') }),
  };
}

export function fromObjectMetadata(
  id: string,
  output: Pick<HeadObjectCommandOutput, 'ContentType' | 'Metadata'>,
): ImageRecord | undefined {
  const metadata = output.Metadata ?? {};
  const contentType = output.ContentType;
  // Objects not written by this service (or by an incompatible version) are not images we can vouch for.
  if (metadata['record-version'] !== METADATA_VERSION || !isAllowedImageType(contentType)) return undefined;
  const originalName = metadata['original-name'];
  return {
    id,
    contentType,
    size: Number(metadata.size),
    width: Number(metadata.width),
    height: Number(metadata.height),
    sha256: metadata.sha256 ?? '',
    originalName: originalName === undefined ? null : Buffer.from(originalName, 'base64url').toString('utf8'),
    createdAt: metadata['created-at'] ?? '',
  };
}
