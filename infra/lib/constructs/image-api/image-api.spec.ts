import { Match } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { describe, expect, it } from 'vitest';
import { newTestStack, templateOf } from '../../../test/test-app';
import { BINARY_MEDIA_TYPES, ImageApi, SIGNED_LINKS_PATH_PART, type ImageApiProps } from './image-api';

function build(patch: Partial<Omit<ImageApiProps, 'handler'>> = {}) {
  const stack = newTestStack();
  const handler = new lambda.Function(stack, 'Handler', {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200 })'),
  });
  new ImageApi(stack, 'ImageApi', {
    apiName: 'imagestore-dev-api',
    stageName: 'dev',
    handler,
    corsAllowedOrigins: ['http://localhost:3000'],
    throttleRateLimit: 20,
    throttleBurstLimit: 40,
    reviewerQuotaPerDay: 5000,
    accessLogRetentionDays: 14,
    removal: 'destroy',
    ...patch,
  });
  return templateOf(stack);
}

describe(ImageApi.name, () => {
  const template = build();
  const methods = () => Object.values(template.findResources('AWS::ApiGateway::Method')).map((m) => m.Properties);

  it('declares multipart/form-data and image/* as binary media types', () => {
    template.hasResourceProperties('AWS::ApiGateway::RestApi', {
      BinaryMediaTypes: ['multipart/form-data', 'image/*'],
      EndpointConfiguration: { Types: ['REGIONAL'] },
    });
    expect(BINARY_MEDIA_TYPES).not.toContain('*/*');
  });

  it('proxies the root and {proxy+} to the function (Lambda proxy) with the API key required', () => {
    template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: '{proxy+}' });
    const anyMethods = methods().filter((m) => m.HttpMethod === 'ANY');
    expect(anyMethods).toHaveLength(2);
    for (const method of anyMethods) {
      expect(method).toMatchObject({
        ApiKeyRequired: true,
        Integration: { Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST' },
      });
    }
  });

  it("answers API Gateway's own refusals (413, 429, 403, 504) in the application's JSON error envelope", () => {
    const responses = Object.values(template.findResources('AWS::ApiGateway::GatewayResponse')).map(
      (resource) => resource.Properties,
    );
    const byType = Object.fromEntries(responses.map((response) => [response.ResponseType, response]));
    expect(Object.keys(byType).sort()).toEqual(
      [
        'ACCESS_DENIED',
        'INTEGRATION_TIMEOUT',
        'INVALID_API_KEY',
        'MISSING_AUTHENTICATION_TOKEN',
        'QUOTA_EXCEEDED',
        'REQUEST_TOO_LARGE',
        'THROTTLED',
        'WAF_FILTERED',
      ].sort(),
    );
    expect(byType.REQUEST_TOO_LARGE.StatusCode).toBe('413');
    const envelope = (byType.REQUEST_TOO_LARGE.ResponseTemplates as Record<string, string>)['application/json'];
    // The template must be JSON once API Gateway substitutes its variables (messageString comes quoted).
    const rendered = envelope
      .replace('$context.error.messageString', JSON.stringify('Request Too Long'))
      .replace('$context.requestId', 'c0ffee');
    expect(JSON.parse(rendered)).toEqual({
      statusCode: 413,
      error: 'Payload Too Large',
      code: 'PAYLOAD_TOO_LARGE',
      message: 'Request Too Long',
      requestId: 'c0ffee',
    });
    expect(byType.THROTTLED.StatusCode).toBe('429');
    expect(byType.INVALID_API_KEY.StatusCode).toBe('403');
  });

  it('leaves GET /health, the web gallery’s page (GET /, GET /assets/{file}) and the signed links (GET/HEAD /signed/{proxy+}) open, and nothing else', () => {
    template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: 'health' });
    template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: 'assets' });
    template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: '{file}' });
    const open = methods().filter((m) => m.HttpMethod === 'GET' || m.HttpMethod === 'HEAD');
    expect(open).toHaveLength(5);
    for (const method of open) {
      expect(method.ApiKeyRequired).not.toBe(true);
      expect(method.Integration).toMatchObject({ Type: 'AWS_PROXY' });
    }
    const keyed = methods().filter((m) => !['GET', 'HEAD', 'OPTIONS'].includes(m.HttpMethod));
    expect(keyed.length).toBeGreaterThan(0);
    for (const method of keyed) expect(method.ApiKeyRequired).toBe(true);
  });

  it('serves the signed links (GET and HEAD under /signed/) without the API key, and nothing else there', () => {
    const resources = template.findResources('AWS::ApiGateway::Resource');
    const [signedId] = Object.entries(resources).find(([, r]) => r.Properties.PathPart === SIGNED_LINKS_PATH_PART)!;
    const [proxyId] = Object.entries(resources).find(
      ([, r]) => r.Properties.PathPart === '{proxy+}' && r.Properties.ParentId?.Ref === signedId,
    )!;
    const signed = methods().filter((m) => m.ResourceId?.Ref === proxyId && m.HttpMethod !== 'OPTIONS');
    expect(signed.map((m) => m.HttpMethod).sort()).toEqual(['GET', 'HEAD']);
    for (const method of signed) {
      expect(method.ApiKeyRequired).toBe(false);
      expect(method.Integration).toMatchObject({ Type: 'AWS_PROXY' });
    }
    // Everything else still needs the key.
    const keyed = methods().filter(
      (m) => m.HttpMethod === 'ANY' || (m.HttpMethod === 'GET' && ![proxyId].includes(m.ResourceId?.Ref)),
    );
    expect(keyed.filter((m) => m.HttpMethod === 'ANY').every((m) => m.ApiKeyRequired === true)).toBe(true);
    expect(keyed.filter((m) => m.HttpMethod === 'ANY')).toHaveLength(2);
  });

  it('answers CORS preflight without a key, as text despite the binary media types, for the configured origins only', () => {
    const options = methods().filter((m) => m.HttpMethod === 'OPTIONS');
    expect(options.length).toBeGreaterThanOrEqual(3);
    for (const method of options) {
      expect(method.ApiKeyRequired).not.toBe(true);
      expect(method.AuthorizationType).toBe('NONE');
      expect(method.Integration).toMatchObject({ Type: 'MOCK', ContentHandling: 'CONVERT_TO_TEXT' });
      const headers = method.Integration.IntegrationResponses[0].ResponseParameters;
      expect(headers['method.response.header.Access-Control-Allow-Origin']).toBe("'http://localhost:3000'");
    }
  });

  it('has a stage with JSON access logs, X-Ray tracing, metrics and default throttling', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'dev',
      TracingEnabled: true,
      AccessLogSetting: {
        DestinationArn: Match.objectLike({
          'Fn::Join': ['', Match.arrayWith([{ Ref: Match.stringLikeRegexp('^ImageApiAccessLogs') }])],
        }),
        Format: Match.anyValue(),
      },
      MethodSettings: [
        Match.objectLike({
          HttpMethod: '*',
          ResourcePath: '/*',
          MetricsEnabled: true,
          LoggingLevel: 'ERROR',
          DataTraceEnabled: false,
          ThrottlingRateLimit: 20,
          ThrottlingBurstLimit: 40,
        }),
      ],
    });
    const [stage] = Object.values(template.findResources('AWS::ApiGateway::Stage'));
    const format = JSON.parse(stage.Properties.AccessLogSetting.Format as string) as Record<string, string>;
    expect(format).toMatchObject({
      requestId: '$context.requestId',
      status: '$context.status',
      apiKeyId: '$context.identity.apiKeyId',
    });
    expect(JSON.stringify(format)).not.toContain('$context.identity.apiKey"');
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: '/aws/apigateway/imagestore-dev-api/access',
      RetentionInDays: 14,
    });
  });

  it('has a reviewers API key (value generated, never given) on a usage plan with throttle and daily quota', () => {
    template.hasResourceProperties('AWS::ApiGateway::ApiKey', {
      Name: 'imagestore-dev-api-reviewers',
      Enabled: true,
      Value: Match.absent(),
    });
    template.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
      Throttle: { RateLimit: 20, BurstLimit: 40 },
      Quota: { Limit: 5000, Period: 'DAY' },
      ApiStages: [Match.objectLike({ Stage: { Ref: Match.stringLikeRegexp('DeploymentStage') } })],
    });
    template.resourceCountIs('AWS::ApiGateway::UsagePlanKey', 1);
  });

  it("adds no outputs of its own (the stack owns the output names; RestApi's hashed Endpoint output is dropped)", () => {
    expect(template.findOutputs('*')).toEqual({});
  });

  it.each([
    [{ throttleBurstLimit: 10 }, /ImageApi throttleBurstLimit \(10\) must be at least throttleRateLimit \(20\)/],
    [{ throttleRateLimit: 0 }, /ImageApi throttleRateLimit must be an integer from 1 to 10000, got 0/],
    [{ reviewerQuotaPerDay: -1 }, /ImageApi reviewerQuotaPerDay must be an integer/],
    [{ stageName: 'dev-1' }, /ImageApi stageName must be letters, digits and _/],
    [{ corsAllowedOrigins: ['https://*.example.org'] }, /ImageApi corsAllowedOrigins must hold exact origins/],
  ])('rejects invalid props with a clear error (%#)', (patch, message) => {
    expect(() => build(patch)).toThrow(message);
  });
});
