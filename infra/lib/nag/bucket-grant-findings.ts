import { Stack, type CfnElement } from 'aws-cdk-lib';
import type * as s3 from 'aws-cdk-lib/aws-s3';

/** Wildcard actions that `bucket.grantRead/grantWrite/grantReadWrite` write into a policy. */
const BUCKET_GRANT_WILDCARD_ACTIONS = ['s3:GetObject*', 's3:GetBucket*', 's3:List*', 's3:DeleteObject*', 's3:Abort*'];

/**
 * The AwsSolutions-IAM5 finding ids cdk-nag reports for a CDK bucket grant limited to `objectKeyPatterns`: the
 * action wildcards the grant writes and the object ARNs under the given key patterns. Acknowledging these exact
 * ids (not the whole rule) keeps any other wildcard on the same policy reported.
 */
export function bucketGrantFindings(bucket: s3.Bucket, objectKeyPatterns: readonly string[]): string[] {
  const logicalId = Stack.of(bucket).getLogicalId(bucket.node.defaultChild as CfnElement);
  return [
    ...BUCKET_GRANT_WILDCARD_ACTIONS.map((action) => `AwsSolutions-IAM5[Action::${action}]`),
    ...objectKeyPatterns.map((pattern) => `AwsSolutions-IAM5[Resource::<${logicalId}.Arn>/${pattern}]`),
  ];
}
