import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { newTestStack, templateOf } from '../../../test/test-app';
import { LogsBucket } from './logs-bucket';

describe(LogsBucket.name, () => {
  it('is private, SSE-S3 encrypted (required for access-log delivery), TLS-only and expires archived logs', () => {
    const stack = newTestStack();
    new LogsBucket(stack, 'Logs', { removal: 'retain', expirationDays: 400 });
    const template = templateOf(stack);
    template.hasResourceProperties('AWS::S3::Bucket', {
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
    });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    const [bucket] = Object.values(template.findResources('AWS::S3::Bucket'));
    expect(bucket.Properties.LifecycleConfiguration.Rules).toContainEqual(
      expect.objectContaining({ ExpirationInDays: 400 }),
    );
    expect(bucket.DeletionPolicy).toBe('Retain');
  });

  it('rejects an expiration outside 1..3650 days', () => {
    expect(() => new LogsBucket(newTestStack(), 'Logs', { removal: 'retain', expirationDays: 0 })).toThrow(
      /LogsBucket expirationDays must be an integer from 1 to 3650, got 0/,
    );
  });
});
