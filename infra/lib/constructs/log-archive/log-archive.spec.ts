import { Match } from 'aws-cdk-lib/assertions';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { describe, expect, it } from 'vitest';
import { newTestStack, templateOf } from '../../../test/test-app';
import { LogArchive, type LogArchiveProps } from './log-archive';

function build(
  patch: Partial<Pick<LogArchiveProps, 'prefix' | 'deliveryStreamName'>> & { noLogGroups?: boolean } = {},
) {
  const stack = newTestStack();
  const groups = patch.noLogGroups ? [] : [new logs.LogGroup(stack, 'A'), new logs.LogGroup(stack, 'B')];
  new LogArchive(stack, 'LogArchive', {
    deliveryStreamName: patch.deliveryStreamName ?? 'imagestore-dev-log-archive',
    bucket: new s3.Bucket(stack, 'Logs'),
    prefix: patch.prefix ?? 'cloudwatch-logs/dev/',
    logGroups: groups,
  });
  return templateOf(stack);
}

describe(LogArchive.name, () => {
  const template = build();

  it('delivers to the logs bucket through encrypted Firehose, unpacking CloudWatch Logs records', () => {
    template.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      DeliveryStreamType: 'DirectPut',
      DeliveryStreamEncryptionConfigurationInput: { KeyType: 'AWS_OWNED_CMK' },
      ExtendedS3DestinationConfiguration: Match.objectLike({
        BucketARN: { 'Fn::GetAtt': [Match.stringLikeRegexp('^Logs'), 'Arn'] },
        Prefix: 'cloudwatch-logs/dev/!{timestamp:yyyy/MM/dd}/',
        CompressionFormat: 'GZIP',
        ProcessingConfiguration: {
          Enabled: true,
          Processors: [
            Match.objectLike({ Type: 'Decompression' }),
            Match.objectLike({ Type: 'CloudWatchLogProcessing' }),
            Match.objectLike({ Type: 'AppendDelimiterToRecord' }),
          ],
        },
      }),
    });
  });

  it('subscribes every given log group with an all-events filter', () => {
    template.resourceCountIs('AWS::Logs::SubscriptionFilter', 2);
    template.hasResourceProperties('AWS::Logs::SubscriptionFilter', {
      FilterPattern: '',
      DestinationArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('DeliveryStream'), 'Arn'] },
    });
  });

  it.each([
    [{ prefix: 'logs' }, /LogArchive prefix must be a lowercase key prefix ending with "\/"/],
    [{ deliveryStreamName: 'bad name' }, /LogArchive deliveryStreamName must be a Firehose stream name/],
    [{ noLogGroups: true }, /LogArchive logGroups must name at least one log group/],
  ])('rejects invalid props with a clear error (%#)', (patch, message) => {
    expect(() => build(patch)).toThrow(message);
  });
});
