import { Match } from 'aws-cdk-lib/assertions';
import * as ecr from 'aws-cdk-lib/aws-ecr';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { describe, expect, it } from 'vitest';
import { newTestStack, templateOf } from '../../../test/test-app';
import { IMAGESTORE_CONFIG } from '../../config/stages';
import { ImageBucket } from '../image-bucket/image-bucket';
import { ApiFunction, type ApiFunctionProps } from './api-function';

const dev = IMAGESTORE_CONFIG.stages.dev;

function build(
  patch: Partial<Pick<ApiFunctionProps, 'functionName' | 'imageTag' | 'function' | 'limits' | 'metricsNamespace'>> = {},
) {
  const stack = newTestStack();
  const imageBucket = new ImageBucket(stack, 'ImageBucket', {
    removal: 'destroy',
    noncurrentVersionExpirationDays: 7,
    corsAllowedOrigins: ['http://localhost:3000'],
    accessLogsBucket: new s3.Bucket(stack, 'Logs'),
  });
  new ApiFunction(stack, 'ApiFunction', {
    functionName: 'imagestore-dev-api',
    repository: ecr.Repository.fromRepositoryName(stack, 'Repo', 'imagestore-dev'),
    imageTag: 'abc123',
    function: { ...dev.function, reservedConcurrency: 7, architecture: 'arm64' },
    limits: dev.limits,
    imageBucket,
    logRetentionDays: 14,
    removal: 'destroy',
    contentLinkTtlSeconds: 3600,
    metricsNamespace: 'imagestore-dev',
    ...patch,
  });
  return templateOf(stack);
}

describe(ApiFunction.name, () => {
  const template = build();

  it('runs the image tag given at deploy time from the ECR repository', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      PackageType: 'Image',
      Code: { ImageUri: { 'Fn::Join': ['', Match.arrayWith([Match.stringLikeRegexp('/imagestore-dev:abc123$')])] } },
    });
  });

  it("times out below API Gateway's 29 s, traces with X-Ray and logs JSON; memory, architecture and concurrency from config", () => {
    const [fn] = Object.values(
      template.findResources('AWS::Lambda::Function', { Properties: { PackageType: 'Image' } }),
    );
    expect(fn.Properties.Timeout).toBeLessThan(29);
    expect(fn.Properties).toMatchObject({
      TracingConfig: { Mode: 'Active' },
      LoggingConfig: { LogFormat: 'JSON', LogGroup: { Ref: expect.stringMatching(/^ApiFunctionLogGroup/) } },
      MemorySize: dev.function.memoryMb,
      Architectures: ['arm64'],
      ReservedConcurrentExecutions: 7,
      FunctionName: 'imagestore-dev-api',
    });
  });

  it('writes to a log group with retention', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: '/aws/lambda/imagestore-dev-api',
      RetentionInDays: 14,
    });
  });

  it('gets the environment the application reads, with the cursor and link keys from Secrets Manager', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        // Exactly the contract with api/: nothing more (AWS_REGION is Lambda's own), nothing less.
        Variables: Match.objectEquals({
          STORAGE_DRIVER: 's3',
          S3_BUCKET: { Ref: Match.stringLikeRegexp('^ImageBucket') },
          MAX_UPLOAD_BYTES: '4194304',
          MAX_IMAGE_PIXELS: '40000000',
          DIRECT_UPLOAD_MAX_BYTES: '52428800',
          LOG_LEVEL: 'debug',
          CURSOR_SECRET: {
            'Fn::Join': [
              '',
              ['{{resolve:secretsmanager:', { Ref: Match.stringLikeRegexp('CursorSecret') }, ':SecretString:::}}'],
            ],
          },
          CONTENT_LINK_SECRET: {
            'Fn::Join': [
              '',
              ['{{resolve:secretsmanager:', { Ref: Match.stringLikeRegexp('ContentLinkSecret') }, ':SecretString:::}}'],
            ],
          },
          CONTENT_LINK_TTL_SECONDS: '3600',
          POWERTOOLS_SERVICE_NAME: 'imagestore',
          POWERTOOLS_METRICS_NAMESPACE: 'imagestore-dev',
        }),
      },
    });
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: { PasswordLength: 64, ExcludePunctuation: true },
    });
    const variables = JSON.stringify(template.findResources('AWS::Lambda::Function'));
    expect(variables).not.toContain('AWS_REGION');
  });

  it("has a role with no managed policies and no wildcard resource except X-Ray's", () => {
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'lambda.amazonaws.com' } })] },
      ManagedPolicyArns: Match.absent(),
    });
    const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
      (p) => p.Properties.PolicyDocument.Statement as Array<{ Resource: unknown; Action: string | string[] }>,
    );
    for (const statement of statements.filter((s) => s.Resource === '*')) {
      expect([statement.Action].flat().every((a) => a.startsWith('xray:'))).toBe(true);
    }
  });

  it.each([
    [
      { function: { ...dev.function, timeoutSeconds: 29 } },
      /ApiFunction timeoutSeconds must be an integer from 1 to 28, got 29/,
    ],
    [
      { function: { ...dev.function, memoryMb: 64 } },
      /ApiFunction memoryMb must be an integer from 128 to 10240, got 64/,
    ],
    [
      { function: { ...dev.function, reservedConcurrency: 0 } },
      /ApiFunction reservedConcurrency must be an integer from 1 to 1000/,
    ],
    [
      { limits: { ...dev.limits, maxUploadBytes: 6_000_000 } },
      /ApiFunction maxUploadBytes must be an integer from 1 to 4500000, got 6000000/,
    ],
    [{ limits: { ...dev.limits, directUploadMaxBytes: 6 * 1024 ** 3 } }, /ApiFunction directUploadMaxBytes/],
    [{ imageTag: 'latest:bad' }, /ApiFunction imageTag must be an ECR image tag/],
    [{ functionName: 'has space' }, /ApiFunction functionName must be a Lambda function name/],
    [{ metricsNamespace: '' }, /ApiFunction metricsNamespace must be a CloudWatch namespace/],
  ])('rejects invalid props with a clear error (%#)', (patch, message) => {
    expect(() => build(patch as never)).toThrow(message);
  });
});
