import type { Readable } from 'node:stream';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { ContentLinkOptions, ContentLinkSigner } from '../content-link-signer';
import {
  StagedUploadTooLargeError,
  type DirectUploadStore,
  type PresignedPost,
  type PresignOptions,
} from '../direct-uploads/direct-upload-store';
import { IMAGES_PREFIX, INCOMING_PREFIX, variantKey } from './s3-keys';
import type { S3Bucket } from './s3-bucket';

/**
 * What only an object store offers: uploads straight to a staging key (presigned POST to `incoming/`), and
 * short-lived links to an image's bytes (presigned GET), so neither passes through the service.
 */
export class S3PresignedAccess implements DirectUploadStore, ContentLinkSigner {
  constructor(private readonly bucket: S3Bucket) {}

  async createPresignedUpload(uploadId: string, { maxBytes, expiresSeconds }: PresignOptions): Promise<PresignedPost> {
    const post = await this.bucket.call(
      () =>
        createPresignedPost(this.bucket.client, {
          Bucket: this.bucket.name,
          Key: INCOMING_PREFIX + uploadId,
          Conditions: [['content-length-range', 1, maxBytes]],
          // Fields become exact-match conditions. The staged object's declared type is pinned to an inert one: the
          // real type is sniffed on completion, and nothing in incoming/ can ever be rendered as HTML.
          Fields: { 'Content-Type': 'application/octet-stream' },
          Expires: expiresSeconds,
        }),
      'presign',
    );
    if (!post) throw new Error('presigning returned nothing');
    return { url: post.url, fields: post.fields };
  }

  signContentLink(id: string, options: ContentLinkOptions): Promise<string> {
    return this.signGetLink(IMAGES_PREFIX + id, options);
  }

  /** A short-lived URL for a variant too big to pass through the service, as `signContentLink` for originals. */
  signVariantLink(imageId: string, name: string, options: ContentLinkOptions): Promise<string> {
    return this.signGetLink(variantKey(imageId, name), options);
  }

  private async signGetLink(key: string, options: ContentLinkOptions): Promise<string> {
    // Signing is local (no request), so there is nothing to time out or retry.
    return getSignedUrl(
      this.bucket.client,
      new GetObjectCommand({
        Bucket: this.bucket.name,
        Key: key,
        ResponseContentType: options.contentType,
        ResponseContentDisposition: options.contentDisposition,
        ResponseCacheControl: options.cacheControl,
      }),
      { expiresIn: options.expiresSeconds },
    );
  }

  async readIncoming(uploadId: string, maxBytes: number): Promise<Buffer | undefined> {
    const output = await this.bucket.getObject(INCOMING_PREFIX + uploadId, 'readIncoming');
    if (!output?.Body) return undefined;
    const body = output.Body as Readable;
    const size = output.ContentLength ?? 0;
    if (size > maxBytes) {
      body.destroy();
      throw new StagedUploadTooLargeError(size);
    }
    const chunks: Buffer[] = [];
    let received = 0;
    for await (const chunk of body) {
      received += (chunk as Buffer).length;
      if (received > maxBytes) {
        body.destroy();
        throw new StagedUploadTooLargeError(received);
      }
      chunks.push(chunk as Buffer);
    }
    return Buffer.concat(chunks);
  }

  async deleteIncoming(uploadId: string): Promise<void> {
    await this.bucket.deleteKey(INCOMING_PREFIX + uploadId, 'deleteIncoming');
  }
}
