import { Duration, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { StatefulRemoval } from '../../config/app-config';
import { removalPolicyOf } from '../../config/removal';
import { requireInteger, requireMatch, requireOrigins } from '../../config/require';

/**
 * Bodies API Gateway passes to the function as binary (base64) instead of mangling them as text. Deliberately not
 * `*\/*`: that would also make the CORS preflight mock treat requests as binary.
 */
export const BINARY_MEDIA_TYPES = ['multipart/form-data', 'image/*'] as const;
/**
 * First path segment of the links the app signs itself (contract with api/links). A signature in the URL is the
 * credential there, so these reads need no API key; the app verifies it and answers 403 otherwise.
 */
export const SIGNED_LINKS_PATH_PART = 'signed';

const F = apigateway.AccessLogField;
/** One JSON object per request; the API key's id (never its value) identifies the reviewer. */
const ACCESS_LOG_FIELDS = {
  requestId: F.contextRequestId(),
  extendedRequestId: F.contextExtendedRequestId(),
  requestTime: F.contextRequestTime(),
  ip: F.contextIdentitySourceIp(),
  userAgent: F.contextIdentityUserAgent(),
  apiKeyId: F.contextIdentityApiKeyId(),
  httpMethod: F.contextHttpMethod(),
  path: F.contextPath(),
  resourcePath: F.contextResourcePath(),
  protocol: F.contextProtocol(),
  status: F.contextStatus(),
  responseLength: F.contextResponseLength(),
  responseLatency: F.contextResponseLatency(),
  integrationStatus: F.contextIntegrationStatus(),
  integrationLatency: F.contextIntegrationLatency(),
  integrationError: F.contextIntegrationErrorMessage(),
  errorMessage: F.contextErrorMessageString(),
  wafStatus: F.contextWafResponseCode(),
  xrayTraceId: F.contextXrayTraceId(),
};

/**
 * What API Gateway answers by itself, before or instead of the function, rewritten into the application's error
 * envelope so clients handle one shape. The codes are the application's where it has one (README, Errors).
 */
export const GATEWAY_ERROR_RESPONSES: readonly {
  readonly type: apigateway.ResponseType;
  readonly status: number;
  readonly error: string;
  readonly code: string;
}[] = [
  {
    type: apigateway.ResponseType.REQUEST_TOO_LARGE,
    status: 413,
    error: 'Payload Too Large',
    code: 'PAYLOAD_TOO_LARGE',
  },
  { type: apigateway.ResponseType.THROTTLED, status: 429, error: 'Too Many Requests', code: 'TOO_MANY_REQUESTS' },
  { type: apigateway.ResponseType.QUOTA_EXCEEDED, status: 429, error: 'Too Many Requests', code: 'TOO_MANY_REQUESTS' },
  { type: apigateway.ResponseType.INVALID_API_KEY, status: 403, error: 'Forbidden', code: 'FORBIDDEN' },
  { type: apigateway.ResponseType.MISSING_AUTHENTICATION_TOKEN, status: 403, error: 'Forbidden', code: 'FORBIDDEN' },
  { type: apigateway.ResponseType.ACCESS_DENIED, status: 403, error: 'Forbidden', code: 'FORBIDDEN' },
  { type: apigateway.ResponseType.WAF_FILTERED, status: 403, error: 'Forbidden', code: 'FORBIDDEN' },
  {
    type: apigateway.ResponseType.INTEGRATION_TIMEOUT,
    status: 504,
    error: 'Gateway Timeout',
    code: 'UPSTREAM_TIMEOUT',
  },
];

export interface ImageApiProps {
  readonly apiName: string;
  readonly stageName: string;
  readonly handler: lambda.IFunction;
  readonly corsAllowedOrigins: readonly string[];
  readonly throttleRateLimit: number;
  readonly throttleBurstLimit: number;
  readonly reviewerQuotaPerDay: number;
  readonly accessLogRetentionDays: logs.RetentionDays;
  readonly removal: StatefulRemoval;
}

/**
 * REST API in front of the function: one Lambda proxy for every path, API key + usage plan for reviewers,
 * JSON access logs, X-Ray, metrics and stage-wide throttling.
 */
export class ImageApi extends Construct {
  readonly api: apigateway.RestApi;
  readonly apiKey: apigateway.IApiKey;
  readonly accessLogGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: ImageApiProps) {
    super(scope, id);
    validateImageApiProps(props);

    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', {
      logGroupName: `/aws/apigateway/${props.apiName}/access`,
      retention: props.accessLogRetentionDays,
      removalPolicy: removalPolicyOf(props.removal),
    });

    this.api = new apigateway.RestApi(this, 'RestApi', {
      restApiName: props.apiName,
      description: 'imagestore image API (Lambda proxy)',
      endpointTypes: [apigateway.EndpointType.REGIONAL],
      binaryMediaTypes: [...BINARY_MEDIA_TYPES],
      // The API Gateway CloudWatch role is account-wide; the identity stack owns it (see docs/deploy.md).
      cloudWatchRole: false,
      apiKeySourceType: apigateway.ApiKeySourceType.HEADER,
      deployOptions: {
        stageName: props.stageName,
        accessLogDestination: new apigateway.LogGroupLogDestination(this.accessLogGroup),
        accessLogFormat: apigateway.AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
        tracingEnabled: true,
        metricsEnabled: true,
        loggingLevel: apigateway.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        throttlingRateLimit: props.throttleRateLimit,
        throttlingBurstLimit: props.throttleBurstLimit,
      },
      defaultCorsPreflightOptions: {
        allowOrigins: [...props.corsAllowedOrigins],
        allowMethods: ['GET', 'HEAD', 'POST', 'DELETE', 'OPTIONS'],
        allowHeaders: [
          'Content-Type',
          'X-Api-Key',
          'If-None-Match',
          'If-Modified-Since',
          'If-Match',
          'If-Unmodified-Since',
          'If-Range',
          'Range',
        ],
        maxAge: Duration.hours(1),
      },
    });

    const integration = new apigateway.LambdaIntegration(props.handler, {
      proxy: true,
      allowTestInvoke: false,
      timeout: Duration.seconds(29),
    });
    // Everything goes to the app, which routes itself; the key is required except for the health check and the
    // gallery's static page.
    this.api.root.addMethod('ANY', integration, { apiKeyRequired: true });
    const proxy = this.api.root.addProxy({ defaultIntegration: integration, anyMethod: false });
    proxy.addMethod('ANY', integration, { apiKeyRequired: true });
    this.api.root.addResource('health').addMethod('GET', integration, { apiKeyRequired: false });
    // The web gallery: a browser's navigation cannot send x-api-key, so its page and hashed files load without
    // one (they hold no data); the page then asks for the key and sends it with every API call.
    this.api.root.addMethod('GET', integration, { apiKeyRequired: false });
    this.api.root.addResource('assets').addResource('{file}').addMethod('GET', integration, { apiKeyRequired: false });
    const signedLinks = this.api.root.addResource(SIGNED_LINKS_PATH_PART).addProxy({ anyMethod: false });
    for (const method of ['GET', 'HEAD']) signedLinks.addMethod(method, integration, { apiKeyRequired: false });

    keepPreflightAsText(this.api);

    for (const { type, status, error, code } of GATEWAY_ERROR_RESPONSES) {
      this.api.addGatewayResponse(`Gateway${type.responseType}`, {
        type,
        statusCode: String(status),
        responseHeaders: { 'X-Content-Type-Options': "'nosniff'" },
        templates: {
          'application/json': `{"statusCode":${status},"error":"${error}","code":"${code}","message":$context.error.messageString,"requestId":"$context.requestId"}`,
        },
      });
    }

    this.apiKey = this.api.addApiKey('ReviewerApiKey', {
      apiKeyName: `${props.apiName}-reviewers`,
      description: 'Key handed to reviewers; read its value with the command in the ReadReviewerApiKey output',
    });
    const plan = this.api.addUsagePlan('ReviewerUsagePlan', {
      name: `${props.apiName}-reviewers`,
      throttle: { rateLimit: props.throttleRateLimit, burstLimit: props.throttleBurstLimit },
      quota: { limit: props.reviewerQuotaPerDay, period: apigateway.Period.DAY },
      apiStages: [{ api: this.api, stage: this.api.deploymentStage }],
    });
    plan.addApiKey(this.apiKey);

    // RestApi adds an `Endpoint` output on its own; inside this construct its logical id is hashed. The service
    // stack outputs the URL under a stable name, so drop the duplicate that would invite fuzzy matching.
    this.api.node.tryRemoveChild('Endpoint');

    this.acknowledgeAccessModel();
  }

  private acknowledgeAccessModel(): void {
    Validations.of(this.api).acknowledge(
      {
        id: 'AwsSolutions-APIG2',
        reason:
          'Lambda proxy for every path: the application validates requests (Nest ValidationPipe) and answers 400 itself.',
      },
      {
        id: 'AwsSolutions-APIG4',
        reason:
          'Access is by API key + usage plan for reviewers (issue scope); preflight, /health, the web gallery page (GET / and /assets/{file}, no data) and the signed links (/signed/*, verified by the app) are deliberately open. No end-user identity exists yet.',
      },
      {
        id: 'AwsSolutions-COG4',
        reason:
          'No Cognito user pool: access is by API key + usage plan for reviewers; there are no end users to authenticate yet.',
      },
    );
  }
}

/**
 * With binary media types set, API Gateway may treat a preflight as binary, and the mock integration then fails
 * (500). Converting to text keeps OPTIONS answering whatever the request's Content-Type or Accept says.
 */
function keepPreflightAsText(api: apigateway.RestApi): void {
  for (const construct of api.node.findAll()) {
    if (construct instanceof apigateway.Method && construct.httpMethod === 'OPTIONS') {
      const cfn = construct.node.defaultChild as apigateway.CfnMethod;
      cfn.addPropertyOverride('Integration.ContentHandling', 'CONVERT_TO_TEXT');
    }
  }
}

function validateImageApiProps(props: ImageApiProps): void {
  requireMatch('ImageApi apiName', props.apiName, /^[A-Za-z0-9_-]{1,128}$/, 'letters, digits, - and _ (at most 128)');
  requireMatch(
    'ImageApi stageName',
    props.stageName,
    /^[A-Za-z0-9_]{1,128}$/,
    'letters, digits and _ (an API Gateway stage name)',
  );
  requireOrigins('ImageApi corsAllowedOrigins', props.corsAllowedOrigins);
  requireInteger('ImageApi throttleRateLimit', props.throttleRateLimit, 1, 10_000);
  requireInteger('ImageApi throttleBurstLimit', props.throttleBurstLimit, 1, 5_000);
  if (props.throttleBurstLimit < props.throttleRateLimit) {
    throw new Error(
      `ImageApi throttleBurstLimit (${props.throttleBurstLimit}) must be at least throttleRateLimit (${props.throttleRateLimit})`,
    );
  }
  requireInteger('ImageApi reviewerQuotaPerDay', props.reviewerQuotaPerDay, 1, 10_000_000);
}
