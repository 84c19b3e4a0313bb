import { Match, Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { SERVICE_OUTPUTS } from '../lib/config/deploy-contract';
import {
  FALLBACK_STATUS_CODES,
  IMAGE_CONTENT_SECURITY_POLICY,
  VARIANT_FALLBACK_ORIGIN_PATH,
  VARIANTS_PATH_PATTERN,
} from '../lib/constructs/image-cdn/image-cdn';
import { buildTestApp } from './test-app';

const built = buildTestApp({ alarmEmail: 'ops@example.org' });
const prod = Template.fromStack(built.stages.prod.service);
const dev = Template.fromStack(built.stages.dev.service);
const edge = Template.fromStack(built.stages.prod.edge!);

const only = (template: Template, type: string) => {
  const resources = Object.entries(template.findResources(type));
  expect(resources, type).toHaveLength(1);
  const [logicalId, resource] = resources[0]!;
  return { logicalId, properties: resource.Properties, resource };
};
const distributionConfig = (template: Template) =>
  only(template, 'AWS::CloudFront::Distribution').properties.DistributionConfig;
const logicalIdOf = (template: Template, type: string) => only(template, type).logicalId;

describe('image CDN (CloudFront)', () => {
  for (const [stage, template] of [
    ['dev', dev],
    ['prod', prod],
  ] as const) {
    describe(stage, () => {
      const config = distributionConfig(template);
      const origins = config.Origins as { Id: string; OriginPath?: string; S3OriginConfig?: unknown }[];

      it('reads the bucket through Origin Access Control (SigV4, always), never an OAI or a public bucket', () => {
        template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
          OriginAccessControlConfig: {
            OriginAccessControlOriginType: 's3',
            SigningBehavior: 'always',
            SigningProtocol: 'sigv4',
          },
        });
        template.resourceCountIs('AWS::CloudFront::CloudFrontOriginAccessIdentity', 0);
        const s3Origins = origins.filter((o) => o.S3OriginConfig !== undefined);
        expect(s3Origins.map((o) => o.OriginPath).sort()).toEqual(['/images', '/variants']);
        for (const origin of s3Origins) {
          expect(origin).toMatchObject({
            OriginAccessControlId: { 'Fn::GetAtt': [expect.stringMatching(/BucketAccess/), 'Id'] },
            S3OriginConfig: { OriginAccessIdentity: '' },
          });
        }
        template.hasResourceProperties('AWS::S3::Bucket', {
          PublicAccessBlockConfiguration: Match.objectEquals({
            BlockPublicAcls: true,
            BlockPublicPolicy: true,
            IgnorePublicAcls: true,
            RestrictPublicBuckets: true,
          }),
          VersioningConfiguration: { Status: 'Enabled' },
        });
      });

      it('admits this distribution only (AWS:SourceArn), to GetObject under images/ and variants/ only', () => {
        const policies = Object.values(template.findResources('AWS::S3::BucketPolicy'));
        const statements = policies.flatMap((p) => p.Properties.PolicyDocument.Statement as Record<string, unknown>[]);
        const cloudfront = statements.filter((s) => JSON.stringify(s.Principal).includes('cloudfront.amazonaws.com'));
        expect(cloudfront).toHaveLength(1);
        const distributionId = logicalIdOf(template, 'AWS::CloudFront::Distribution');
        expect(cloudfront[0]).toMatchObject({
          Effect: 'Allow',
          Action: 's3:GetObject',
          Condition: {
            StringEquals: {
              'AWS:SourceArn': {
                'Fn::Join': ['', expect.arrayContaining([':cloudfront::', ':distribution/', { Ref: distributionId }])],
              },
            },
          },
        });
        const resources = JSON.stringify(cloudfront[0]!.Resource);
        expect(resources).toContain('/images/*');
        expect(resources).toContain('/variants/*');
        expect(resources).not.toContain('incoming');
        expect(resources).not.toMatch(/"\/\*"/);
      });

      it('requires canned-policy signed URLs from the trusted key group on every behaviour', () => {
        const keyGroup = only(template, 'AWS::CloudFront::KeyGroup');
        const publicKey = only(template, 'AWS::CloudFront::PublicKey');
        expect(keyGroup.properties.KeyGroupConfig.Items).toEqual([{ Ref: publicKey.logicalId }]);
        expect(publicKey.properties.PublicKeyConfig.EncodedKey).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
        // Never the private half.
        expect(JSON.stringify(template.toJSON())).not.toMatch(/PRIVATE KEY/);
        for (const behaviour of [config.DefaultCacheBehavior, ...config.CacheBehaviors]) {
          expect(behaviour.TrustedKeyGroups).toEqual([{ Ref: keyGroup.logicalId }]);
          expect(behaviour).toMatchObject({
            ViewerProtocolPolicy: 'https-only',
            AllowedMethods: ['GET', 'HEAD'],
            CachedMethods: ['GET', 'HEAD'],
            Compress: false,
          });
        }
      });

      it('serves variants from the bucket and fails over on 403/404 to the function URL behind OAC', () => {
        const [variants] = config.CacheBehaviors;
        expect(variants.PathPattern).toBe(VARIANTS_PATH_PATTERN);
        const group = config.OriginGroups.Items[0];
        expect(variants.TargetOriginId).toBe(group.Id);
        expect(group.FailoverCriteria.StatusCodes.Items.sort()).toEqual([...FALLBACK_STATUS_CODES]);
        const [primary, fallback] = group.Members.Items.map((m: { OriginId: string }) =>
          origins.find((o) => o.Id === m.OriginId),
        );
        expect(primary).toMatchObject({ OriginPath: '/variants' });
        expect(fallback).toMatchObject({
          OriginPath: VARIANT_FALLBACK_ORIGIN_PATH,
          CustomOriginConfig: { OriginProtocolPolicy: 'https-only' },
          OriginAccessControlId: { 'Fn::GetAtt': [expect.stringMatching(/FunctionUrlOriginAccessControl/), 'Id'] },
        });
        template.hasResourceProperties('AWS::Lambda::Url', { AuthType: 'AWS_IAM' });
        template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
          OriginAccessControlConfig: { OriginAccessControlOriginType: 'lambda', SigningBehavior: 'always' },
        });
        // Only this distribution may call the URL.
        template.hasResourceProperties('AWS::Lambda::Permission', {
          Action: 'lambda:InvokeFunctionUrl',
          Principal: 'cloudfront.amazonaws.com',
          SourceArn: {
            'Fn::Join': ['', Match.arrayWith([{ Ref: logicalIdOf(template, 'AWS::CloudFront::Distribution') }])],
          },
        });
        // Originals have no fallback: the default behaviour goes straight to images/.
        const original = origins.find((o) => o.Id === config.DefaultCacheBehavior.TargetOriginId);
        expect(original).toMatchObject({ OriginPath: '/images' });
      });

      it('runs the Accept normaliser (cloudfront-js-2.0) on variant requests only', () => {
        const fn = only(template, 'AWS::CloudFront::Function');
        expect(fn.properties.FunctionConfig.Runtime).toBe('cloudfront-js-2.0');
        expect(fn.properties.FunctionCode).toContain('function handler(event)');
        expect(config.CacheBehaviors[0].FunctionAssociations).toEqual([
          { EventType: 'viewer-request', FunctionARN: { 'Fn::GetAtt': [fn.logicalId, 'FunctionARN'] } },
        ]);
        expect(config.DefaultCacheBehavior.FunctionAssociations).toBeUndefined();
      });

      it('keys the cache by path alone: no cookies, headers or query strings; no compressed copies', () => {
        const policy = only(template, 'AWS::CloudFront::CachePolicy');
        expect(policy.properties.CachePolicyConfig).toMatchObject({
          MinTTL: 0,
          DefaultTTL: 86_400,
          MaxTTL: 31_536_000,
          ParametersInCacheKeyAndForwardedToOrigin: {
            CookiesConfig: { CookieBehavior: 'none' },
            HeadersConfig: { HeaderBehavior: 'none' },
            QueryStringsConfig: { QueryStringBehavior: 'none' },
            EnableAcceptEncodingGzip: false,
            EnableAcceptEncodingBrotli: false,
          },
        });
        for (const behaviour of [config.DefaultCacheBehavior, ...config.CacheBehaviors]) {
          expect(behaviour.CachePolicyId).toEqual({ Ref: policy.logicalId });
          expect(behaviour.OriginRequestPolicyId).toBeUndefined();
        }
      });

      it('adds HSTS, nosniff, the sandbox CSP and a browser lifetime of the link TTL to every answer', () => {
        const policy = only(template, 'AWS::CloudFront::ResponseHeadersPolicy');
        expect(policy.properties.ResponseHeadersPolicyConfig).toMatchObject({
          SecurityHeadersConfig: {
            StrictTransportSecurity: { AccessControlMaxAgeSec: 63_072_000, IncludeSubdomains: true, Override: true },
            ContentTypeOptions: { Override: true },
            ContentSecurityPolicy: { ContentSecurityPolicy: IMAGE_CONTENT_SECURITY_POLICY, Override: true },
          },
          CustomHeadersConfig: {
            Items: [{ Header: 'Cache-Control', Value: 'public, max-age=3600', Override: true }],
          },
        });
        for (const behaviour of [config.DefaultCacheBehavior, ...config.CacheBehaviors]) {
          expect(behaviour.ResponseHeadersPolicyId).toEqual({ Ref: policy.logicalId });
        }
      });

      it('logs every request to the logs bucket under cloudfront/<stage>/, and publishes additional metrics', () => {
        expect(config.Logging).toEqual({
          Bucket: { 'Fn::GetAtt': [expect.stringMatching(/^LogsBucket/), 'RegionalDomainName'] },
          Prefix: `cloudfront/${stage}/`,
        });
        // CloudFront standard logs are written with an ACL: the logs bucket must accept ACLs from its owner.
        template.hasResourceProperties('AWS::S3::Bucket', {
          OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerPreferred' }] },
        });
        template.hasResourceProperties('AWS::CloudFront::MonitoringSubscription', {
          MonitoringSubscription: {
            RealtimeMetricsSubscriptionConfig: { RealtimeMetricsSubscriptionStatus: 'Enabled' },
          },
        });
      });

      it('lets the function purge this distribution only, in a policy the function does not wait for', () => {
        const distributionId = logicalIdOf(template, 'AWS::CloudFront::Distribution');
        const policies = Object.entries(template.findResources('AWS::IAM::Policy')).filter(([, p]) =>
          JSON.stringify(p.Properties.PolicyDocument).includes('cloudfront:CreateInvalidation'),
        );
        expect(policies).toHaveLength(1);
        const [purgeId, purge] = policies[0]!;
        expect(purge.Properties.PolicyDocument.Statement).toEqual([
          {
            Effect: 'Allow',
            Action: 'cloudfront:CreateInvalidation',
            Resource: {
              'Fn::Join': ['', expect.arrayContaining([':cloudfront::', ':distribution/', { Ref: distributionId }])],
            },
          },
        ]);
        expect(purge.Properties.Roles).toEqual([{ Ref: expect.stringMatching(/^ApiFunctionRole/) }]);
        const fn = Object.values(template.findResources('AWS::Lambda::Function')).find(
          (f) => f.Properties.FunctionName === `imagestore-${stage}-api`,
        )!;
        expect(fn.DependsOn ?? []).not.toContain(purgeId);
      });

      it('tells the function where its settings and signing key are by name, and lets it read exactly those', () => {
        const fn = Object.values(template.findResources('AWS::Lambda::Function')).find(
          (f) => f.Properties.FunctionName === `imagestore-${stage}-api`,
        )!;
        const variables = fn.Properties.Environment.Variables;
        expect(variables.CDN_SETTINGS_PARAMETER).toBe(`/imagestore-${stage}/cdn/settings`);
        expect(variables.CDN_SIGNING_KEY_SECRET).toBe(`imagestore-${stage}/cdn/signing-key/2026-12`);
        expect(JSON.stringify(variables)).not.toMatch(/PRIVATE KEY|BEGIN/);
        template.hasResourceProperties('AWS::SSM::Parameter', {
          Name: `/imagestore-${stage}/cdn/settings`,
          Type: 'String',
          Value: {
            'Fn::Join': [
              '',
              Match.arrayWith([
                { 'Fn::GetAtt': [logicalIdOf(template, 'AWS::CloudFront::Distribution'), 'DomainName'] },
                { Ref: logicalIdOf(template, 'AWS::CloudFront::Distribution') },
                { Ref: logicalIdOf(template, 'AWS::CloudFront::PublicKey') },
              ]),
            ],
          },
        });
        const statements = Object.values(template.findResources('AWS::IAM::Policy')).flatMap(
          (p) => p.Properties.PolicyDocument.Statement as { Action: unknown; Resource: unknown }[],
        );
        const read = (action: string) => statements.find((s) => s.Action === action);
        expect(JSON.stringify(read('ssm:GetParameter')?.Resource)).toContain(
          `:parameter/imagestore-${stage}/cdn/settings"`,
        );
        expect(JSON.stringify(read('secretsmanager:GetSecretValue')?.Resource)).toContain(
          `:secret:imagestore-${stage}/cdn/signing-key/2026-12-??????"`,
        );
      });

      it('outputs the CDN domain', () => {
        template.hasOutput(SERVICE_OUTPUTS.cdnDomainName, {
          Value: { 'Fn::GetAtt': [logicalIdOf(template, 'AWS::CloudFront::Distribution'), 'DomainName'] },
        });
      });
    });
  }

  describe('WAF in us-east-1 (prod)', () => {
    it('makes a CLOUDFRONT-scope web ACL in the us-east-1 edge stack and publishes its ARN there', () => {
      expect(built.stages.prod.edge!.region).toBe('us-east-1');
      const acl = only(edge, 'AWS::WAFv2::WebACL');
      expect(acl.properties).toMatchObject({ Scope: 'CLOUDFRONT', Name: 'imagestore-prod-cdn' });
      edge.resourceCountIs('AWS::WAFv2::WebACLAssociation', 0);
      edge.hasResourceProperties('AWS::SSM::Parameter', {
        Name: '/imagestore-prod/edge/cdn-web-acl-arn',
        Value: { 'Fn::GetAtt': [acl.logicalId, 'Arn'] },
      });
    });

    it('reads that parameter from us-east-1 at deploy time and names the ACL on the distribution', () => {
      const reader = only(prod, 'Custom::AWS');
      const create = JSON.parse(JSON.stringify(reader.properties.Create));
      const call = JSON.parse(typeof create === 'string' ? create : create['Fn::Join'][1].join(''));
      expect(call).toMatchObject({
        service: 'SSM',
        action: 'getParameter',
        region: 'us-east-1',
        parameters: { Name: '/imagestore-prod/edge/cdn-web-acl-arn' },
      });
      expect(distributionConfig(prod).WebACLId).toEqual({ 'Fn::GetAtt': [reader.logicalId, 'Parameter.Value'] });
      // The provider may read that one parameter in us-east-1, nothing else.
      const statements = Object.values(prod.findResources('AWS::IAM::Policy')).flatMap(
        (p) => p.Properties.PolicyDocument.Statement as { Action: unknown; Resource: unknown }[],
      );
      const getParameter = statements.find(
        (s) => s.Action === 'ssm:GetParameter' && JSON.stringify(s.Resource).includes('us-east-1'),
      );
      expect(JSON.stringify(getParameter!.Resource)).toContain(':ssm:us-east-1:');
      expect(JSON.stringify(getParameter!.Resource)).toContain(':parameter/imagestore-prod/edge/cdn-web-acl-arn');
    });

    it('leaves dev without a CDN WAF (config) and without the cross-region read', () => {
      expect(distributionConfig(dev).WebACLId).toBeUndefined();
      dev.resourceCountIs('Custom::AWS', 0);
    });
  });

  describe('monitoring', () => {
    const alarms = Object.values(prod.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
    const cdnAlarm = (metricName: string) =>
      alarms.find(
        (a) =>
          JSON.stringify(a).includes(`"MetricName":"${metricName}"`) && JSON.stringify(a).includes('AWS/CloudFront'),
      );

    it('alarms on the CDN 4xx and 5xx rates and a low cache hit ratio, notifying the alarm topic', () => {
      const thresholds = { '4xxErrorRate': 10, '5xxErrorRate': 1, CacheHitRate: 70 };
      for (const [metric, threshold] of Object.entries(thresholds)) {
        const alarm = cdnAlarm(metric);
        expect(alarm, metric).toBeDefined();
        expect(alarm!.Threshold, metric).toBe(threshold);
        expect(alarm!.AlarmActions).toEqual([{ Ref: expect.stringMatching(/^MonitoringAlarmTopic/) }]);
        expect(JSON.stringify(alarm), metric).toContain(logicalIdOf(prod, 'AWS::CloudFront::Distribution'));
      }
      expect(cdnAlarm('CacheHitRate')!.ComparisonOperator).toBe('LessThanThreshold');
    });

    it('shows the CDN on the dashboard with metrics from us-east-1', () => {
      const [dashboard] = Object.values(prod.findResources('AWS::CloudWatch::Dashboard'));
      const body = JSON.stringify(dashboard!.Properties.DashboardBody);
      for (const needle of ['AWS/CloudFront', '4xxErrorRate', '5xxErrorRate', 'CacheHitRate', 'us-east-1']) {
        expect(body, needle).toContain(needle);
      }
    });
  });
});
