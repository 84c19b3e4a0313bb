import { Match } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { describe, expect, it } from 'vitest';
import { newTestStack, templateOf } from '../../../test/test-app';
import { ImageBucket, type ImageBucketProps } from './image-bucket';

function build(patch: Partial<Omit<ImageBucketProps, 'accessLogsBucket'>> = {}) {
  const stack = newTestStack();
  const logs = new s3.Bucket(stack, 'Logs');
  const construct = new ImageBucket(stack, 'ImageBucket', {
    removal: 'retain',
    noncurrentVersionExpirationDays: 30,
    corsAllowedOrigins: ['https://app.example.org'],
    accessLogsBucket: logs,
    ...patch,
  });
  return { stack, construct };
}

describe(ImageBucket.name, () => {
  const { stack, construct } = build();
  const role = new iam.Role(stack, 'AppRole', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') });
  construct.grantApplicationAccess(role);
  const template = templateOf(stack);
  const imageBucket = () =>
    template.findResources('AWS::S3::Bucket', { Properties: { VersioningConfiguration: Match.anyValue() } });

  it('sets Block Public Access explicitly, bucket-owner-enforced ownership and encryption', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
    });
    expect(Object.keys(imageBucket())).toHaveLength(1);
  });

  it('denies every request that is not TLS', () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: Match.stringLikeRegexp('^ImageBucket') },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Principal: { AWS: '*' },
            Action: 's3:*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('aborts multipart uploads, expires incoming/ after a day and noncurrent versions after the configured days', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ AbortIncompleteMultipartUpload: { DaysAfterInitiation: 1 }, Status: 'Enabled' }),
          Match.objectLike({ Prefix: 'incoming/', ExpirationInDays: 1, Status: 'Enabled' }),
          Match.objectLike({ Prefix: 'idempotency-keys/', ExpirationInDays: 31, Status: 'Enabled' }),
          Match.objectLike({ NoncurrentVersionExpiration: { NoncurrentDays: 30 }, Status: 'Enabled' }),
        ]),
      },
    });
  });

  it('logs server access to the logs bucket and allows presigned POST only from the configured origins and presigned GET from redirected browsers', () => {
    template.hasResourceProperties('AWS::S3::Bucket', {
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: { DestinationBucketName: { Ref: Match.stringLikeRegexp('^Logs') } },
      CorsConfiguration: {
        CorsRules: [
          Match.objectLike({ AllowedMethods: ['POST'], AllowedOrigins: ['https://app.example.org'] }),
          // Reads only, and only with a presigned URL: a redirected browser request carries `Origin: null`.
          Match.objectLike({ AllowedMethods: ['GET', 'HEAD'], AllowedOrigins: ['*'], AllowedHeaders: ['*'] }),
        ],
      },
    });
  });

  it('is retained when removal is "retain"', () => {
    const [bucket] = Object.values(imageBucket());
    expect(bucket).toMatchObject({ DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    template.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
  });

  it('is destroyed with its objects when removal is "destroy"', () => {
    const destroyed = templateOf(build({ removal: 'destroy' }).stack);
    destroyed.resourceCountIs('Custom::S3AutoDeleteObjects', 1);
    const [bucket] = Object.values(
      destroyed.findResources('AWS::S3::Bucket', { Properties: { VersioningConfiguration: Match.anyValue() } }),
    );
    expect(bucket).toMatchObject({ DeletionPolicy: 'Delete' });
  });

  it('lets the application write and delete variants under variants/ only, and gives them no lifecycle of their own', () => {
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Action: Match.arrayWith(['s3:DeleteObject*', 's3:PutObject']),
            Resource: Match.arrayWith([
              { 'Fn::Join': ['', [{ 'Fn::GetAtt': [Match.stringLikeRegexp('Bucket'), 'Arn'] }, '/variants/*']] },
            ]),
          }),
        ]),
      },
    });
    const [bucket] = Object.values(
      template.findResources('AWS::S3::Bucket', { Properties: { VersioningConfiguration: Match.anyValue() } }),
    );
    const rules = bucket.Properties.LifecycleConfiguration.Rules as Array<{ Prefix?: string }>;
    expect(rules.map((rule) => rule.Prefix).filter(Boolean)).toEqual(['incoming/', 'idempotency-keys/']);
  });

  it('grants the application read, write, delete and list under its own prefixes only', () => {
    const policies = template.findResources('AWS::IAM::Policy');
    const statements = Object.values(policies).flatMap(
      (p) => p.Properties.PolicyDocument.Statement as Array<{ Resource: unknown; Action: string[] }>,
    );
    const resources = JSON.stringify(statements.map((s) => s.Resource));
    expect(resources).toContain('/images/*');
    expect(resources).toContain('/incoming/*');
    for (const prefix of ['pending', 'deleting', 'idempotency-keys', 'variants'])
      expect(resources).toContain(`/${prefix}/*`);
    expect(resources).not.toMatch(/"\/\*"/);
    const actions = statements.flatMap((s) => s.Action);
    expect(actions).toEqual(expect.arrayContaining(['s3:GetObject*', 's3:List*', 's3:PutObject', 's3:DeleteObject*']));
    expect(actions).not.toContain('s3:*');
  });

  it.each([
    [
      { noncurrentVersionExpirationDays: 0 },
      /ImageBucket noncurrentVersionExpirationDays must be an integer from 1 to 3650, got 0/,
    ],
    [{ corsAllowedOrigins: [] }, /ImageBucket corsAllowedOrigins must list at least one origin/],
    [{ corsAllowedOrigins: ['*'] }, /ImageBucket corsAllowedOrigins must hold exact origins/],
    [{ corsAllowedOrigins: ['https://app.example.org/'] }, /no trailing slash/],
  ])('rejects invalid props with a clear error (%#)', (patch, message) => {
    expect(() => build(patch)).toThrow(message);
  });
});
