import { Duration } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { StatefulRemoval } from '../../config/app-config';
import { removalPolicyOf } from '../../config/removal';
import { requireInteger, requireOrigins } from '../../config/require';

/**
 * Key prefixes the application uses (contract with api/images/storage/s3-keys.ts): stored images, pending direct
 * uploads, sized variants, markers of writes not yet confirmed, delete tombstones, and idempotency keys.
 */
export const IMAGES_PREFIX = 'images/';
export const INCOMING_PREFIX = 'incoming/';
/** Sized copies of images (`variants/<id>/<preset>.<ext>`), removed by the API with their image. */
export const VARIANTS_PREFIX = 'variants/';
export const PENDING_PREFIX = 'pending/';
export const DELETING_PREFIX = 'deleting/';
export const IDEMPOTENCY_KEYS_PREFIX = 'idempotency-keys/';
export const APPLICATION_PREFIXES = [
  IMAGES_PREFIX,
  INCOMING_PREFIX,
  VARIANTS_PREFIX,
  PENDING_PREFIX,
  DELETING_PREFIX,
  IDEMPOTENCY_KEYS_PREFIX,
] as const;
/** The application's sweep removes keys after IDEMPOTENCY_KEY_TTL_SECONDS (at most 30 days); this is the backstop. */
const IDEMPOTENCY_KEYS_MAX_DAYS = 31;

export interface ImageBucketProps {
  readonly removal: StatefulRemoval;
  readonly noncurrentVersionExpirationDays: number;
  /** Origins allowed to POST straight to the bucket with a presigned POST. */
  readonly corsAllowedOrigins: readonly string[];
  /** Receives the server access logs. */
  readonly accessLogsBucket: s3.IBucket;
}

/** The private, versioned bucket holding the images. */
export class ImageBucket extends Construct {
  readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: ImageBucketProps) {
    super(scope, id);
    requireInteger('ImageBucket noncurrentVersionExpirationDays', props.noncurrentVersionExpirationDays, 1, 3650);
    requireOrigins('ImageBucket corsAllowedOrigins', props.corsAllowedOrigins);

    this.bucket = new s3.Bucket(this, 'Bucket', {
      // Explicit, although it is the default: cdk-nag passes a bucket that merely omits it.
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // SSE-S3 keeps presigned POST simple (SSE-KMS would need kms:GenerateDataKey for every uploader).
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      serverAccessLogsBucket: props.accessLogsBucket,
      serverAccessLogsPrefix: 's3-access-logs/image-bucket/',
      cors: [
        {
          // Browsers upload with a presigned POST (multipart form) straight to S3.
          allowedMethods: [s3.HttpMethods.POST],
          allowedOrigins: [...props.corsAllowedOrigins],
          allowedHeaders: ['Content-Type'],
          exposedHeaders: ['ETag', 'Location'],
          maxAge: 3000,
        },
        {
          // Images too big for a Lambda response are read from a presigned GET the API redirects to (307). After a
          // cross-origin redirect a browser sends `Origin: null` and forwards the API's headers (X-Api-Key), so
          // no origin list can match; the signature in the URL, not CORS, is what grants the read.
          allowedMethods: [s3.HttpMethods.GET, s3.HttpMethods.HEAD],
          allowedOrigins: ['*'],
          allowedHeaders: ['*'],
          exposedHeaders: ['ETag', 'Content-Length', 'Content-Range', 'Content-Disposition', 'Accept-Ranges'],
          maxAge: 3000,
        },
      ],
      lifecycleRules: [
        { id: 'abort-incomplete-multipart-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
        // A staged direct upload is deleted when completed (verified, then stored anew under images/ with its own id);
        // one never completed, or that could not be read, is gone a day later.
        { id: 'expire-incoming', prefix: INCOMING_PREFIX, expiration: Duration.days(1) },
        {
          id: 'expire-idempotency-keys',
          prefix: IDEMPOTENCY_KEYS_PREFIX,
          expiration: Duration.days(IDEMPOTENCY_KEYS_MAX_DAYS),
        },
        {
          id: 'expire-noncurrent-versions',
          noncurrentVersionExpiration: Duration.days(props.noncurrentVersionExpirationDays),
        },
        { id: 'remove-expired-delete-markers', expiredObjectDeleteMarker: true },
      ],
      removalPolicy: removalPolicyOf(props.removal),
      autoDeleteObjects: props.removal === 'destroy',
    });
  }

  /**
   * What the application needs: read, write and delete objects under its own prefixes only. Listing is a
   * bucket-level action, so it covers the whole bucket (no `s3:prefix` condition). Variants get no lifecycle rule
   * of their own: like originals they live until the image is deleted, then expire as noncurrent versions.
   */
  grantApplicationAccess(grantee: iam.IGrantable): void {
    for (const prefix of APPLICATION_PREFIXES) {
      this.bucket.grantReadWrite(grantee, `${prefix}*`);
    }
  }
}
