import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { describe, expect, it } from 'vitest';
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
    metricsNamespace: 'imagestore',
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

  it.each([
    [{ max5xxRatePercent: 0 }, /ServiceMonitoring alarms.max5xxRatePercent must be an integer from 1 to 100, got 0/],
    [{ maxP99LatencyMs: 30_000 }, /ServiceMonitoring alarms.maxP99LatencyMs must be an integer from 1 to 29000/],
    [{ maxLambdaErrorsPer5Minutes: -1 }, /ServiceMonitoring alarms.maxLambdaErrorsPer5Minutes/],
  ])('rejects invalid props with a clear error (%#)', (alarms, message) => {
    expect(() => build(alarms)).toThrow(message);
  });
});
