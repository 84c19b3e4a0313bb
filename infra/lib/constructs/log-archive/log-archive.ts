import { Duration, Size, Stack, Validations } from 'aws-cdk-lib';
import * as firehose from 'aws-cdk-lib/aws-kinesisfirehose';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as destinations from 'aws-cdk-lib/aws-logs-destinations';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { requireMatch } from '../../config/require';
import { bucketGrantFindings } from '../../nag/bucket-grant-findings';

export interface LogArchiveProps {
  readonly deliveryStreamName: string;
  readonly bucket: s3.Bucket;
  /** Key prefix in the bucket, ending with "/". */
  readonly prefix: string;
  /** Every event of these log groups is archived. */
  readonly logGroups: readonly logs.ILogGroup[];
}

/**
 * Long-term copy of CloudWatch Logs in S3: subscription filters feed a Firehose stream that unpacks the
 * CloudWatch envelopes and writes gzip'd newline-delimited log lines into the logs bucket.
 */
export class LogArchive extends Construct {
  readonly deliveryStream: firehose.DeliveryStream;

  constructor(scope: Construct, id: string, props: LogArchiveProps) {
    super(scope, id);
    requireMatch(
      'LogArchive deliveryStreamName',
      props.deliveryStreamName,
      /^[a-zA-Z0-9_.-]{1,64}$/,
      'a Firehose stream name',
    );
    requireMatch(
      'LogArchive prefix',
      props.prefix,
      /^[a-z0-9][a-z0-9/_-]*\/$/,
      'a lowercase key prefix ending with "/"',
    );
    if (props.logGroups.length === 0) {
      throw new Error('LogArchive logGroups must name at least one log group to archive');
    }

    this.deliveryStream = new firehose.DeliveryStream(this, 'DeliveryStream', {
      deliveryStreamName: props.deliveryStreamName,
      encryption: firehose.StreamEncryption.awsOwnedKey(),
      destination: new firehose.S3Bucket(props.bucket, {
        dataOutputPrefix: `${props.prefix}!{timestamp:yyyy/MM/dd}/`,
        errorOutputPrefix: `${props.prefix}errors/!{firehose:error-output-type}/!{timestamp:yyyy/MM/dd}/`,
        bufferingInterval: Duration.minutes(5),
        bufferingSize: Size.mebibytes(5),
        compression: firehose.Compression.GZIP,
        // CloudWatch Logs delivers gzip'd JSON envelopes; unpack them into one log line per record.
        processors: [
          new firehose.DecompressionProcessor(),
          new firehose.CloudWatchLogProcessor({ dataMessageExtraction: true }),
          new firehose.AppendDelimiterToRecordProcessor(),
        ],
      }),
    });

    Validations.of(Stack.of(this)).acknowledge({
      id: 'CloudFormation-Validate::W7001',
      reason:
        'The Firehose L2 always emits its CIDR-block mapping (used only for Redshift/Splunk destinations); unused with S3.',
    });
    Validations.of(this.deliveryStream).acknowledge(
      ...bucketGrantFindings(props.bucket, ['*']).map((id) => ({
        id,
        reason:
          'Written by the Firehose S3 destination grant on the logs bucket only; Firehose needs multipart and listing actions to deliver.',
      })),
    );

    props.logGroups.forEach((logGroup, index) => {
      new logs.SubscriptionFilter(this, `Subscription${index}`, {
        logGroup,
        destination: new destinations.FirehoseDestination(this.deliveryStream),
        filterPattern: logs.FilterPattern.allEvents(),
      });
    });
  }
}
