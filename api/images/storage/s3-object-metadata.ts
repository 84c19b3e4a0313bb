import type { HeadObjectCommandOutput } from '@aws-sdk/client-s3';
import { isAllowedImageType, type ImageRecord } from '../image-record';
import { VARIANT_CONTENT_TYPES, type VariantContentType, type VariantRecord } from '../variants/variant-record';

const METADATA_VERSION = '1';

type StoredBytesFields = Pick<VariantRecord, 'size' | 'width' | 'height' | 'sha256' | 'createdAt'>;

/** The metadata every object this service writes carries, original or variant. */
function storedBytesMetadata(record: StoredBytesFields): Record<string, string> {
  return {
    'record-version': METADATA_VERSION,
    size: String(record.size),
    width: String(record.width),
    height: String(record.height),
    sha256: record.sha256,
    'created-at': record.createdAt,
  };
}

function storedBytesFieldsOf(metadata: Record<string, string>): StoredBytesFields {
  return {
    size: Number(metadata.size),
    width: Number(metadata.width),
    height: Number(metadata.height),
    sha256: metadata.sha256 ?? '',
    createdAt: metadata['created-at'] ?? '',
  };
}

/** The record beside the bytes, as S3 user metadata (so a HEAD is a metadata read and no second store exists). */
export function toObjectMetadata(record: ImageRecord): Record<string, string> {
  // S3 metadata travels as HTTP headers: ASCII only, so the free-text name is base64url-encoded (below).
  return {
    ...storedBytesMetadata(record),
    animated: String(record.animated),
    // ~30 base64 characters; with the longest original name the metadata stays well under S3's 2 KB.
    ...(record.placeholder === null ? {} : { placeholder: record.placeholder }),
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
    ...storedBytesFieldsOf(metadata),
    originalName: originalName === undefined ? null : Buffer.from(originalName, 'base64url').toString('utf8'),
    placeholder: metadata.placeholder ?? null,
    animated: metadata.animated === 'true',
  };
}

export const toVariantMetadata = (record: VariantRecord) => storedBytesMetadata(record);

export function fromVariantMetadata(
  name: string,
  output: Pick<HeadObjectCommandOutput, 'ContentType' | 'Metadata'>,
): VariantRecord | undefined {
  const metadata = output.Metadata ?? {};
  const contentType = output.ContentType;
  if (metadata['record-version'] !== METADATA_VERSION || !isVariantType(contentType)) return undefined;
  return { name, contentType, ...storedBytesFieldsOf(metadata) };
}

const isVariantType = (value: string | undefined): value is VariantContentType =>
  (Object.values(VARIANT_CONTENT_TYPES) as string[]).includes(value ?? '');
