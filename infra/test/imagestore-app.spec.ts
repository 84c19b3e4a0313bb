import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { REGISTRY_OUTPUTS, SERVICE_OUTPUTS, STAGE_STACK_IDS } from '../lib/config/deploy-contract';
import { emfMetricLines } from './dashboard-metrics';
import { buildTestApp, TEST_IMAGE_TAG } from './test-app';

const built = buildTestApp({ alarmEmail: 'ops@example.org' });
const dev = Template.fromStack(built.stages.dev.service);
const prod = Template.fromStack(built.stages.prod.service);
const identity = Template.fromStack(built.identity);
const stageNames = ['dev', 'prod'] as const;

function alarmsOf(template: Template) {
  return Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
}

describe('imagestore app', () => {
  it('has an identity stack and a dev and a prod stage, each a registry stack then a service stack', () => {
    const stacks = built.app.node.findAll().filter((c): c is Stack => Stack.isStack(c));
    expect(stacks.map((s) => s.stackName).sort()).toEqual([
      'imagestore-dev-registry',
      'imagestore-dev-service',
      'imagestore-identity',
      'imagestore-prod-edge',
      'imagestore-prod-registry',
      'imagestore-prod-service',
    ]);
    for (const stage of [built.stages.dev, built.stages.prod]) {
      expect(stage.service.dependencies).toContain(stage.registry);
    }
    // Only prod's CDN has a WAF, so only prod has the us-east-1 edge stack, deployed before its service stack.
    expect(built.stages.dev.edge).toBeUndefined();
    expect(built.stages.prod.edge?.region).toBe('us-east-1');
    expect(built.stages.prod.service.dependencies).toContain(built.stages.prod.edge);
  });

  it('has the stack paths the deploy workflow selects (<stage>/Registry, <stage>/Service)', () => {
    for (const name of stageNames) {
      const stage = built.stages[name];
      expect(stage.registry.node.path).toBe(`${name}/${STAGE_STACK_IDS.registry}`);
      expect(stage.service.node.path).toBe(`${name}/${STAGE_STACK_IDS.service}`);
    }
  });

  it('outputs exactly the contract names at stack level (no hashed logical ids), with the values CI reads', () => {
    for (const name of stageNames) {
      const registry = Template.fromStack(built.stages[name].registry);
      expect(Object.keys(registry.findOutputs('*'))).toEqual(Object.values(REGISTRY_OUTPUTS));
      registry.hasOutput(REGISTRY_OUTPUTS.ecrRepositoryUri, {
        Value: {
          'Fn::Join': [
            '',
            Match.arrayWith([
              { 'Fn::Select': [4, { 'Fn::Split': [':', { 'Fn::GetAtt': [Match.anyValue(), 'Arn'] }] }] },
              '.dkr.ecr.',
              { Ref: Match.stringLikeRegexp('^FunctionImageRepository') },
            ]),
          ],
        },
      });

      const service = Template.fromStack(built.stages[name].service);
      expect(Object.keys(service.findOutputs('*')).sort()).toEqual(Object.values(SERVICE_OUTPUTS).sort());
      // The stage URL, stage path included: the e2e suite's E2E_BASE_URL.
      service.hasOutput(SERVICE_OUTPUTS.apiUrl, {
        Value: {
          'Fn::Join': [
            '',
            Match.arrayWith([{ Ref: Match.stringLikeRegexp(`^ImageApiRestApiDeploymentStage${name}`) }, '/']),
          ],
        },
      });
      service.hasOutput(SERVICE_OUTPUTS.apiKeyId, {
        Value: { Ref: Match.stringLikeRegexp('^ImageApiRestApiReviewerApiKey') },
      });
      service.hasOutput(SERVICE_OUTPUTS.imageBucketName, { Value: { Ref: Match.stringLikeRegexp('^ImageBucket') } });
      const readKey = service.findOutputs(SERVICE_OUTPUTS.readApiKeyCommand)[SERVICE_OUTPUTS.readApiKeyCommand];
      expect(JSON.stringify(readKey?.Value)).toContain('aws apigateway get-api-key --api-key ');
      expect(JSON.stringify(readKey?.Value)).toContain('--include-value');
    }
    expect(Object.keys(identity.findOutputs('*')).sort()).toEqual(['DeployRoleArndev', 'DeployRoleArnprod']);
  });

  it("tags each stage's API key so that exactly that stage's deploy role may read it", () => {
    const statements = Object.values(identity.findResources('AWS::IAM::Policy')).flatMap(
      (policy) => policy.Properties.PolicyDocument.Statement as Array<{ Sid?: string; Condition?: unknown }>,
    );
    const conditions = statements.filter((s) => s.Sid === 'ReadStageApiKeys').map((s) => s.Condition);
    for (const name of stageNames) {
      const template = Template.fromStack(built.stages[name].service);
      const [key] = Object.values(template.findResources('AWS::ApiGateway::ApiKey'));
      const tags = Object.fromEntries(
        (key!.Properties.Tags as Array<{ Key: string; Value: string }>).map((t) => [
          `aws:ResourceTag/${t.Key}`,
          t.Value,
        ]),
      );
      const readable = conditions.filter((c) =>
        Object.entries((c as { StringEquals: Record<string, string> }).StringEquals).every(([k, v]) => tags[k] === v),
      );
      expect(readable, name).toEqual([
        { StringEquals: { 'aws:ResourceTag/app': 'imagestore', 'aws:ResourceTag/stage': name } },
      ]);
    }
  });

  it('emits and graphs EMF metrics in a per-stage namespace, so dev and prod never mix', () => {
    for (const [template, name] of [
      [dev, 'dev'],
      [prod, 'prod'],
    ] as const) {
      template.hasResourceProperties('AWS::Lambda::Function', {
        PackageType: 'Image',
        Environment: {
          Variables: Match.objectLike({
            POWERTOOLS_SERVICE_NAME: 'imagestore',
            POWERTOOLS_METRICS_NAMESPACE: `imagestore-${name}`,
          }),
        },
      });
      const lines = emfMetricLines(template);
      expect(lines.length).toBe(4);
      for (const line of lines) {
        const [first] = line;
        if (typeof first === 'string') {
          expect(line.slice(0, 1).concat(line.slice(2, 4)), JSON.stringify(line)).toEqual([
            `imagestore-${name}`,
            'service',
            'imagestore',
          ]);
        } else {
          expect(JSON.stringify(first)).toContain(`{\\"imagestore-${name}\\",\\"service\\",\\"reason\\"}`);
        }
      }
    }
  });

  it("runs the image tag passed as context from the stage's own repository", () => {
    for (const [template, stage] of [
      [dev, 'dev'],
      [prod, 'prod'],
    ] as const) {
      template.hasResourceProperties('AWS::Lambda::Function', {
        Code: { ImageUri: { 'Fn::Join': ['', Match.arrayWith([`/imagestore-${stage}:${TEST_IMAGE_TAG}`])] } },
      });
    }
  });

  it('has no lookups and no parameters besides the bootstrap version', () => {
    const manifest = built.app.synth().manifest;
    expect(manifest.missing ?? []).toEqual([]);
    for (const template of [dev, prod]) {
      expect(Object.keys(template.toJSON().Parameters ?? {})).toEqual(['BootstrapVersion']);
    }
  });

  it('keeps prod data and destroys dev data with the stack', () => {
    // Both buckets, the images and their access logs, listed: an empty list would satisfy any rule.
    const deletionPolicies = (t: Template) =>
      Object.values(t.findResources('AWS::S3::Bucket')).map((bucket) => bucket.DeletionPolicy);
    expect(deletionPolicies(prod)).toEqual(['Retain', 'Retain']);
    expect(deletionPolicies(dev)).toEqual(['Delete', 'Delete']);
    prod.resourceCountIs('Custom::S3AutoDeleteObjects', 0);
    dev.resourceCountIs('Custom::S3AutoDeleteObjects', 2);
    expect(built.stages.prod.service.terminationProtection).toBe(true);
    expect(built.stages.dev.service.terminationProtection).toBe(false);
  });

  it('retains logs per stage and keeps a Lambda timeout below 29 s in both', () => {
    dev.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: '/aws/lambda/imagestore-dev-api',
      RetentionInDays: 14,
    });
    prod.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: '/aws/lambda/imagestore-prod-api',
      RetentionInDays: 90,
    });
    for (const template of [dev, prod]) {
      const fns = Object.values(
        template.findResources('AWS::Lambda::Function', { Properties: { PackageType: 'Image' } }),
      );
      expect(fns).toHaveLength(1);
      expect(fns[0].Properties.Timeout).toBeLessThan(29);
    }
    prod.hasResourceProperties('AWS::Lambda::Function', { PackageType: 'Image', ReservedConcurrentExecutions: 20 });
  });

  it('puts WAF in front of prod by default and not dev', () => {
    prod.resourceCountIs('AWS::WAFv2::WebACL', 1);
    prod.resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
    dev.resourceCountIs('AWS::WAFv2::WebACL', 0);
  });

  it('alarms on 5XX rate, p99 latency, Lambda errors and throttles, notifying the SNS topic', () => {
    const alarms = alarmsOf(prod);
    const topicRef = { Ref: expect.stringMatching(/^MonitoringAlarmTopic/) };
    const find = (predicate: (a: (typeof alarms)[number]) => boolean, what: string) => {
      const alarm = alarms.find(predicate);
      expect(alarm, what).toBeDefined();
      expect(alarm!.AlarmActions).toEqual([topicRef]);
      return alarm!;
    };
    const fivexx = find((a) => JSON.stringify(a.Metrics ?? '').includes('5XXError'), '5XX rate');
    expect(fivexx.Threshold).toBe(1);
    expect(JSON.stringify(fivexx.Metrics)).toContain('100 * faults');
    const p99 = find((a) => /"MetricName":"Latency".*"Stat":"p99"/.test(JSON.stringify(a.Metrics)), 'p99 latency');
    expect(p99.Threshold).toBe(3000);
    find((a) => JSON.stringify(a.Metrics).includes('"MetricName":"Errors","Namespace":"AWS/Lambda"'), 'Lambda errors');
    find(
      (a) => JSON.stringify(a.Metrics).includes('"MetricName":"Throttles","Namespace":"AWS/Lambda"'),
      'Lambda throttles',
    );
    // The CDN's three (4xx rate, 5xx rate, cache hit ratio) are tested in cdn.spec.ts.
    expect(alarms.filter((a) => !JSON.stringify(a.Metrics).includes('AWS/CloudFront'))).toHaveLength(4);
    prod.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.org' });
  });

  it('has a dashboard with API, Lambda, EMF and bucket metrics', () => {
    const [dashboard] = Object.values(prod.findResources('AWS::CloudWatch::Dashboard'));
    const body = JSON.stringify(dashboard.Properties.DashboardBody);
    for (const needle of [
      '4XXError',
      '5XXError',
      'p50',
      'p90',
      'p99',
      'Errors',
      'Throttles',
      'Duration',
      'ConcurrentExecutions',
      'ColdStart',
      'ImagesUploaded',
      'BytesStored',
      'UploadsRefused',
      'BucketSizeBytes',
      'NumberOfObjects',
    ]) {
      expect(body, needle).toContain(needle);
    }
    expect(dashboard.Properties.DashboardName).toBe('imagestore-prod');
  });

  it('archives function and access logs to the logs bucket through Firehose', () => {
    prod.resourceCountIs('AWS::KinesisFirehose::DeliveryStream', 1);
    prod.resourceCountIs('AWS::Logs::SubscriptionFilter', 2);
    prod.hasResourceProperties('AWS::KinesisFirehose::DeliveryStream', {
      ExtendedS3DestinationConfiguration: Match.objectLike({ Prefix: 'cloudwatch-logs/prod/!{timestamp:yyyy/MM/dd}/' }),
    });
  });

  it('never puts the API key value or the cursor secret in an output', () => {
    expect(Object.keys(dev.findOutputs('*'))).toContain(SERVICE_OUTPUTS.apiKeyId);
    for (const template of [dev, prod]) {
      const outputs = JSON.stringify(template.toJSON().Outputs);
      expect(outputs).not.toContain('secretsmanager');
      expect(outputs).not.toMatch(/"Fn::GetAtt":\["[^"]*ApiKey[^"]*","Value"\]/);
    }
  });
});
