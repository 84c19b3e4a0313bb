import { Duration, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import type { StatefulRemoval } from '../../config/app-config';
import { removalPolicyOf } from '../../config/removal';
import { requireInteger } from '../../config/require';

export interface LogsBucketProps {
  readonly removal: StatefulRemoval;
  /** Archived logs (S3 access logs, CloudWatch Logs via Firehose) are deleted after this many days. */
  readonly expirationDays: number;
}

/**
 * The long-term home of logs: the image bucket's server access logs, the CDN's standard logs and the Firehose
 * archive of CloudWatch Logs.
 */
export class LogsBucket extends Construct {
  readonly bucket: s3.Bucket;

  constructor(scope: Construct, id: string, props: LogsBucketProps) {
    super(scope, id);
    requireInteger('LogsBucket expirationDays', props.expirationDays, 1, 3650);

    const destroy = props.removal === 'destroy';
    this.bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      // CloudFront standard logs arrive with an ACL (awslogsdelivery gets write access); the bucket owner still
      // owns every object. Enforced ownership would make CloudFront refuse the bucket as a log target.
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_PREFERRED,
      // S3 server access logging only delivers to buckets encrypted with SSE-S3, not SSE-KMS.
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      lifecycleRules: [
        { id: 'expire-archived-logs', expiration: Duration.days(props.expirationDays) },
        { id: 'abort-incomplete-multipart-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      removalPolicy: removalPolicyOf(props.removal),
      autoDeleteObjects: destroy,
    });

    Validations.of(this.bucket).acknowledge({
      id: 'AwsSolutions-S1',
      reason:
        'This is the access-log target itself; logging it into itself would loop and another bucket would only move the question.',
    });
  }
}
