import { Duration, Validations } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import { ComparisonOperator } from 'aws-cdk-lib/aws-cloudwatch';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import {
  DefaultDashboardFactory,
  GraphWidgetType,
  MetricStatistic,
  MonitoringFacade,
  SnsAlarmActionStrategy,
} from 'cdk-monitoring-constructs';
import { Construct } from 'constructs';
import type { AlarmConfig, CdnConfig } from '../../config/app-config';
import { requireInteger, requireMatch } from '../../config/require';

export interface ServiceMonitoringProps {
  /** Prefix of the dashboard, the alarm names and the topic. */
  readonly namePrefix: string;
  readonly api: apigateway.RestApi;
  readonly apiStageName: string;
  readonly function: lambda.IFunction;
  readonly imageBucket: s3.IBucket;
  /** The image CDN, when the stage has one: its error rates and cache hit ratio join dashboard and alarms. */
  readonly cdn?: {
    readonly distribution: cloudfront.IDistribution;
    readonly alarms: Pick<CdnConfig, 'max4xxRatePercent' | 'max5xxRatePercent' | 'minCacheHitRatePercent'>;
  };
  readonly alarms: AlarmConfig;
  /** Namespace and `service` dimension of the function's EMF metrics. */
  readonly metricsNamespace: string;
  readonly serviceDimension: string;
}

/**
 * Dashboard and alarms built with cdk-monitoring-constructs: API (4xx/5xx, latency percentiles), Lambda (errors,
 * throttles, duration, concurrency), the EMF metrics the app emits (cold starts, uploads) and bucket size.
 */
export class ServiceMonitoring extends Construct {
  readonly alarmTopic: sns.Topic;
  readonly facade: MonitoringFacade;

  constructor(scope: Construct, id: string, props: ServiceMonitoringProps) {
    super(scope, id);
    validateServiceMonitoringProps(props);

    this.alarmTopic = new sns.Topic(this, 'AlarmTopic', {
      topicName: `${props.namePrefix}-alarms`,
      displayName: `${props.namePrefix} alarms`,
      enforceSSL: true,
    });
    Validations.of(this.alarmTopic).acknowledge({
      id: 'AwsSolutions-SNS2',
      reason:
        'CloudWatch alarms cannot publish to a topic encrypted with the AWS-managed SNS key and a customer key costs $1/month per stage; alarm messages carry only metric names and thresholds.',
    });
    if (props.alarms.email !== undefined) {
      this.alarmTopic.addSubscription(new subscriptions.EmailSubscription(props.alarms.email));
      Validations.of(this.alarmTopic).acknowledge({
        id: 'Serverless-SNSRedrivePolicy',
        reason:
          'The only subscription is an optional human e-mail; SNS retries delivery itself and the alarm state stays in CloudWatch, so a DLQ nobody reads adds nothing.',
      });
    }

    this.facade = new MonitoringFacade(this, 'Facade', {
      alarmFactoryDefaults: {
        alarmNamePrefix: props.namePrefix,
        actionsEnabled: true,
        action: new SnsAlarmActionStrategy({ onAlarmTopic: this.alarmTopic }),
        datapointsToAlarm: 2,
        evaluationPeriods: 3,
      },
      metricFactoryDefaults: { period: Duration.minutes(5) },
      dashboardFactory: new DefaultDashboardFactory(this, 'Dashboards', {
        dashboardNamePrefix: props.namePrefix,
        createDashboard: true,
        createSummaryDashboard: false,
        createAlarmDashboard: false,
      }),
    });

    const metrics = this.facade.createMetricFactory();
    // The library's "fault rate" is faults per second; the issue asks for the share of requests, which is the
    // Average of API Gateway's 5XXError metric (0..1), shown here in percent.
    const fault5xxPercent = metrics.createMetricMath(
      '100 * faults',
      {
        faults: metrics.createMetric(
          '5XXError',
          MetricStatistic.AVERAGE,
          '5XX share',
          { ApiName: props.api.restApiName, Stage: props.apiStageName },
          undefined,
          'AWS/ApiGateway',
        ),
      },
      '5XX responses (%)',
    );
    // The function's own EMF metrics (Powertools), dimension service=<serviceDimension>.
    const emfMetric = (name: string, label: string) =>
      metrics.createMetric(
        name,
        MetricStatistic.SUM,
        label,
        { service: props.serviceDimension },
        undefined,
        props.metricsNamespace,
      );

    this.facade
      .addLargeHeader(`${props.namePrefix}`)
      .monitorApiGateway({
        api: props.api,
        apiStage: props.apiStageName,
        humanReadableName: 'REST API',
        alarmFriendlyName: 'Api',
        addLatencyP99Alarm: { Critical: { maxLatency: Duration.millis(props.alarms.maxP99LatencyMs) } },
      })
      .monitorLambdaFunction({
        lambdaFunction: props.function,
        humanReadableName: 'API function',
        alarmFriendlyName: 'Function',
        addFaultCountAlarm: { Critical: { maxErrorCount: props.alarms.maxLambdaErrorsPer5Minutes } },
        addThrottlesCountAlarm: { Critical: { maxErrorCount: props.alarms.maxLambdaThrottlesPer5Minutes } },
      })
      .monitorCustom({
        humanReadableName: 'API 5XX rate',
        alarmFriendlyName: 'Api5xxRate',
        metricGroups: [
          {
            title: '5XX responses (% of requests)',
            metrics: [
              {
                metric: fault5xxPercent,
                alarmFriendlyName: 'Api5xxRate',
                addAlarm: {
                  Critical: {
                    threshold: props.alarms.max5xxRatePercent,
                    comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
                  },
                },
              },
            ],
          },
        ],
      })
      .monitorCustom({
        humanReadableName: 'Application metrics (EMF)',
        alarmFriendlyName: 'AppMetrics',
        metricGroups: [
          {
            title: 'Cold starts',
            graphWidgetType: GraphWidgetType.BAR,
            metrics: [emfMetric('ColdStart', 'Cold starts')],
          },
          {
            title: 'Uploads',
            metrics: [
              emfMetric('ImagesUploaded', 'Images uploaded'),
              {
                namespace: props.metricsNamespace,
                searchQuery: 'MetricName="UploadsRefused"',
                label: "Refused: ${PROP('Dim.reason')}",
                dimensionsMap: { service: props.serviceDimension, reason: undefined as unknown as string },
                statistic: MetricStatistic.SUM,
              },
            ],
          },
          { title: 'Bytes stored', metrics: [emfMetric('BytesStored', 'Bytes stored')] },
        ],
      })
      .monitorS3Bucket({
        bucket: props.imageBucket,
        humanReadableName: 'Image bucket',
        alarmFriendlyName: 'ImageBucket',
      });
    if (props.cdn) this.monitorCdn(props.cdn);
  }

  /**
   * CloudFront publishes its metrics in us-east-1 only (the library pins them there). The dashboard shows them
   * from any region; the alarms evaluate them when the service stack is in us-east-1 (docs/operations.md).
   */
  private monitorCdn({ distribution, alarms }: NonNullable<ServiceMonitoringProps['cdn']>): void {
    const metrics = this.facade.createMetricFactory();
    const cacheHitRate = metrics.createMetric(
      'CacheHitRate',
      MetricStatistic.AVERAGE,
      'Cache hit rate (%)',
      { DistributionId: distribution.distributionId, Region: 'Global' },
      undefined,
      'AWS/CloudFront',
      undefined,
      'us-east-1',
    );
    this.facade
      .monitorCloudFrontDistribution({
        distribution,
        humanReadableName: 'Image CDN',
        alarmFriendlyName: 'Cdn',
        additionalMetricsEnabled: true,
        addError4xxRate: { Warning: { maxErrorRate: alarms.max4xxRatePercent } },
        addFault5xxRate: { Critical: { maxErrorRate: alarms.max5xxRatePercent } },
      })
      .monitorCustom({
        humanReadableName: 'Image CDN cache hit ratio',
        alarmFriendlyName: 'CdnCacheHitRate',
        metricGroups: [
          {
            title: 'Requests answered from the edge cache (%)',
            metrics: [
              {
                metric: cacheHitRate,
                alarmFriendlyName: 'CdnCacheHitRate',
                addAlarm: {
                  Warning: {
                    threshold: alarms.minCacheHitRatePercent,
                    comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
                  },
                },
              },
            ],
          },
        ],
      });
  }
}

function validateServiceMonitoringProps(props: ServiceMonitoringProps): void {
  requireMatch('ServiceMonitoring namePrefix', props.namePrefix, /^[A-Za-z0-9_-]{1,200}$/, 'letters, digits, - and _');
  requireInteger('ServiceMonitoring alarms.max5xxRatePercent', props.alarms.max5xxRatePercent, 1, 100);
  requireInteger('ServiceMonitoring alarms.maxP99LatencyMs', props.alarms.maxP99LatencyMs, 1, 29_000);
  requireInteger(
    'ServiceMonitoring alarms.maxLambdaErrorsPer5Minutes',
    props.alarms.maxLambdaErrorsPer5Minutes,
    0,
    100_000,
  );
  requireInteger(
    'ServiceMonitoring alarms.maxLambdaThrottlesPer5Minutes',
    props.alarms.maxLambdaThrottlesPer5Minutes,
    0,
    100_000,
  );
  if (props.cdn) {
    requireInteger('ServiceMonitoring cdn.max4xxRatePercent', props.cdn.alarms.max4xxRatePercent, 1, 100);
    requireInteger('ServiceMonitoring cdn.max5xxRatePercent', props.cdn.alarms.max5xxRatePercent, 1, 100);
    requireInteger('ServiceMonitoring cdn.minCacheHitRatePercent', props.cdn.alarms.minCacheHitRatePercent, 0, 99);
  }
}
