import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { describe, expect, it } from 'vitest';
import { emfMetricLines } from '../../../test/dashboard-metrics';
import { newTestStack, templateOf } from '../../../test/test-app';
import type { AlarmConfig } from '../../config/app-config';
import { IMAGESTORE_CONFIG } from '../../config/stages';
import { ServiceMonitoring } from './service-monitoring';

function build(alarms: Partial<AlarmConfig> = {}) {
  const stack = newTestStack();
  const fn = new lambda.Function(stack, 'Fn', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({})'),
  });
  const api = new apigateway.LambdaRestApi(stack, 'Api', { handler: fn, deployOptions: { stageName: 'dev' } });
  new ServiceMonitoring(stack, 'Monitoring', {
    namePrefix: 'imagestore-dev',
    api,
    apiStageName: 'dev',
    function: fn,
    imageBucket: new s3.Bucket(stack, 'Bucket'),
    alarms: { ...IMAGESTORE_CONFIG.stages.dev.alarms, ...alarms },
    metricsNamespace: 'imagestore-dev',
    serviceDimension: 'imagestore',
  });
  return templateOf(stack);
}

describe(ServiceMonitoring.name, () => {
  it('subscribes the alarm e-mail only when one is configured', () => {
    build().resourceCountIs('AWS::SNS::Subscription', 0);
    build({ email: 'ops@example.org' }).hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.org',
    });
  });

  it("graphs the app's EMF metrics from the given namespace, by the service dimension", () => {
    const lines = emfMetricLines(build());
    const plain = lines.filter(([first]) => typeof first === 'string').map((line) => line.slice(0, 4));
    expect(plain).toEqual([
      ['imagestore-dev', 'ColdStart', 'service', 'imagestore'],
      ['imagestore-dev', 'ImagesUploaded', 'service', 'imagestore'],
      ['imagestore-dev', 'BytesStored', 'service', 'imagestore'],
    ]);
    const searches = lines.filter(([first]) => typeof first !== 'string').map(([first]) => JSON.stringify(first));
    expect(searches).toHaveLength(1);
    expect(JSON.parse(searches[0]!).expression).toBe(
      `SEARCH('{"imagestore-dev","service","reason"} "service"="imagestore" MetricName="UploadsRefused"', 'Sum', 300)`,
    );
  });

  it.each([
    [{ max5xxRatePercent: 0 }, /ServiceMonitoring alarms.max5xxRatePercent must be an integer from 1 to 100, got 0/],
    [{ maxP99LatencyMs: 30_000 }, /ServiceMonitoring alarms.maxP99LatencyMs must be an integer from 1 to 29000/],
    [{ maxLambdaErrorsPer5Minutes: -1 }, /ServiceMonitoring alarms.maxLambdaErrorsPer5Minutes/],
  ])('rejects invalid props with a clear error (%#)', (alarms, message) => {
    expect(() => build(alarms)).toThrow(message);
  });
});
