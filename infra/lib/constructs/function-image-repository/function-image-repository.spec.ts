import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { newTestStack, templateOf } from '../../../test/test-app';
import { FunctionImageRepository, type FunctionImageRepositoryProps } from './function-image-repository';

function build(patch: Partial<FunctionImageRepositoryProps> = {}) {
  const stack = newTestStack();
  new FunctionImageRepository(stack, 'Repo', {
    repositoryName: 'imagestore-dev',
    maxImageCount: 10,
    removal: 'destroy',
    pullingFunctionNamePrefix: 'imagestore-dev',
    ...patch,
  });
  return templateOf(stack);
}

describe(FunctionImageRepository.name, () => {
  const template = build();

  it('scans on push, keeps tags immutable and expires all but the last N images', () => {
    template.hasResourceProperties('AWS::ECR::Repository', {
      RepositoryName: 'imagestore-dev',
      ImageScanningConfiguration: { ScanOnPush: true },
      ImageTagMutability: 'IMMUTABLE',
      EmptyOnDelete: true,
      LifecyclePolicy: {
        LifecyclePolicyText: Match.serializedJson({
          rules: [
            Match.objectLike({
              selection: Match.objectLike({ countType: 'imageCountMoreThan', countNumber: 10 }),
              action: { type: 'expire' },
            }),
          ],
        }),
      },
    });
  });

  it("lets only this app's Lambda functions pull the image", () => {
    template.hasResourceProperties('AWS::ECR::Repository', {
      RepositoryPolicyText: {
        Statement: [
          Match.objectLike({
            Principal: { Service: 'lambda.amazonaws.com' },
            Action: ['ecr:BatchGetImage', 'ecr:GetDownloadUrlForLayer'],
            Condition: {
              StringLike: {
                'aws:sourceArn': Match.objectLike({
                  'Fn::Join': Match.arrayWith([Match.arrayWith([':function:imagestore-dev*'])]),
                }),
              },
            },
          }),
        ],
      },
    });
  });

  it('is retained (and not emptied) when removal is "retain"', () => {
    const retained = build({ removal: 'retain' });
    const [repo] = Object.values(retained.findResources('AWS::ECR::Repository'));
    expect(repo).toMatchObject({ DeletionPolicy: 'Retain' });
    expect(repo.Properties.EmptyOnDelete).not.toBe(true);
  });

  it.each([
    [
      { repositoryName: 'ImageStore' },
      /FunctionImageRepository repositoryName must be a lowercase ECR repository name, got "ImageStore"/,
    ],
    [{ maxImageCount: 0 }, /FunctionImageRepository maxImageCount must be an integer from 1 to 1000, got 0/],
    [
      { pullingFunctionNamePrefix: 'a*' },
      /FunctionImageRepository pullingFunctionNamePrefix must be a Lambda function name prefix/,
    ],
  ])('rejects invalid props with a clear error (%#)', (patch, message) => {
    expect(() => build(patch)).toThrow(message);
  });
});
