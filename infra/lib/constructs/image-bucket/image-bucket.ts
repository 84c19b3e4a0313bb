import { Duration } from 'aws-cdk-lib';
import type * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { StatefulRemoval } from '../../config/app-config';
import { removalPolicyOf } from '../../config/removal';
import { requireInteger, requireOrigins } from '../../config/require';

/** Key prefixes the application uses (contract with api/): stored images and pending direct uploads. */
export const IMAGES_PREFIX = 'images/';
export const INCOMING_PREFIX = 'incoming/';
/** Stored variants (issue 13), `variants/<id>/<preset>.<format>`; the CDN serves them from here. */
export const VARIANTS_PREFIX = 'variants/';

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
        // A direct upload is completed (copied to images/) or abandoned within a day.
        { id: 'expire-incoming', prefix: INCOMING_PREFIX, expiration: Duration.days(1) },
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

  /** What the application needs: read, write, delete and list, under its two prefixes only. */
  grantApplicationAccess(grantee: iam.IGrantable): void {
    for (const prefix of [IMAGES_PREFIX, INCOMING_PREFIX]) {
      this.bucket.grantReadWrite(grantee, `${prefix}*`);
    }
  }
}
