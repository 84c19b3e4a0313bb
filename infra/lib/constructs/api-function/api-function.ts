import { Duration, Validations } from 'aws-cdk-lib';
import type * as ecr from 'aws-cdk-lib/aws-ecr';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { FunctionConfig, StatefulRemoval, UploadLimits } from '../../config/app-config';
import { removalPolicyOf } from '../../config/removal';
import { requireInteger, requireMatch } from '../../config/require';
import { bucketGrantFindings } from '../../nag/bucket-grant-findings';
import { APPLICATION_PREFIXES, type ImageBucket } from '../image-bucket/image-bucket';

/** API Gateway REST gives up on an integration after 29 s; the function must answer before that. */
export const API_GATEWAY_INTEGRATION_TIMEOUT_SECONDS = 29;
/**
 * A synchronous Lambda request is at most 6 MB, and API Gateway base64-encodes binary bodies (4/3 larger), so a
 * multipart upload through the API cannot carry much more than 4.5 MB of image.
 */
export const MAX_UPLOAD_BYTES_THROUGH_API = 4_500_000;
/** A presigned POST uploads in one request, which S3 limits to 5 GiB. */
export const MAX_DIRECT_UPLOAD_BYTES = 5 * 1024 ** 3;
/** The `service` dimension (and log/trace service name) of the function's EMF metrics (contract with api/). */
export const POWERTOOLS_SERVICE_NAME = 'imagestore';

export interface ApiFunctionProps {
  readonly functionName: string;
  readonly repository: ecr.IRepository;
  /** Tag (or `sha256:` digest) of the image in the repository, given at deploy time. */
  readonly imageTag: string;
  readonly function: FunctionConfig;
  readonly limits: UploadLimits;
  readonly imageBucket: ImageBucket;
  readonly logRetentionDays: logs.RetentionDays;
  readonly removal: StatefulRemoval;
  /** CloudWatch namespace of the EMF metrics (per stage; the dashboard and alarms read the same one). */
  readonly metricsNamespace: string;
  /** Lifetime of the content links the API returns (CONTENT_LINK_TTL_SECONDS). */
  readonly contentLinkTtlSeconds: number;
  /**
   * With a CDN, the names (never the values) the app reads once per cold start: the settings parameter and the
   * secret holding the private signing key. Without, the app signs and serves its own links.
   */
  readonly cdn?: { readonly settingsParameterName: string; readonly signingKeySecretName: string };
}

/** The NestJS API as a container-image Lambda function, with its log group, role and cursor secret. */
export class ApiFunction extends Construct {
  readonly function: lambda.DockerImageFunction;
  readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: ApiFunctionProps) {
    super(scope, id);
    validateApiFunctionProps(props);

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      logGroupName: `/aws/lambda/${props.functionName}`,
      retention: props.logRetentionDays,
      removalPolicy: removalPolicyOf(props.removal),
    });

    // No managed policy: the role gets exactly its log group, the bucket prefixes and X-Ray, each by a grant.
    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${props.functionName}`,
    });
    this.logGroup.grantWrite(role);

    // Pagination cursors are HMAC-signed; every instance must share one key. Secrets Manager generates it (never
    // in code or git) and CloudFormation resolves it into the environment at deploy time, so the function needs
    // no Secrets Manager call on cold start. Rotating it = update the secret, redeploy.
    const cursorSecret = new secretsmanager.Secret(this, 'CursorSecret', {
      description: `HMAC key for ${props.functionName} pagination cursors`,
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      removalPolicy: removalPolicyOf(props.removal),
    });
    Validations.of(cursorSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotation would only invalidate outstanding pagination cursors; the key is rotated by hand (new value + redeploy), see docs/deploy.md.',
    });

    // The key of the links the app signs itself (API-only stages, and the signed route of every stage).
    const contentLinkSecret = new secretsmanager.Secret(this, 'ContentLinkSecret', {
      description: `HMAC key for ${props.functionName} content links`,
      generateSecretString: { passwordLength: 64, excludePunctuation: true, includeSpace: false },
      removalPolicy: removalPolicyOf(props.removal),
    });
    Validations.of(contentLinkSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'Rotating would only end the outstanding content links early (they live CONTENT_LINK_TTL_SECONDS); rotated by hand with a redeploy, see docs/operations.md.',
    });

    this.function = new lambda.DockerImageFunction(this, 'Function', {
      functionName: props.functionName,
      code: lambda.DockerImageCode.fromEcr(props.repository, { tagOrDigest: props.imageTag }),
      architecture: props.function.architecture === 'arm64' ? lambda.Architecture.ARM_64 : lambda.Architecture.X86_64,
      memorySize: props.function.memoryMb,
      timeout: Duration.seconds(props.function.timeoutSeconds),
      reservedConcurrentExecutions: props.function.reservedConcurrency,
      role,
      tracing: lambda.Tracing.ACTIVE,
      loggingFormat: lambda.LoggingFormat.JSON,
      logGroup: this.logGroup,
      environment: {
        STORAGE_DRIVER: 's3',
        S3_BUCKET: props.imageBucket.bucket.bucketName,
        MAX_UPLOAD_BYTES: String(props.limits.maxUploadBytes),
        MAX_IMAGE_PIXELS: String(props.limits.maxImagePixels),
        DIRECT_UPLOAD_MAX_BYTES: String(props.limits.directUploadMaxBytes),
        LOG_LEVEL: props.function.logLevel,
        CURSOR_SECRET: cursorSecret.secretValue.unsafeUnwrap(),
        CONTENT_LINK_SECRET: contentLinkSecret.secretValue.unsafeUnwrap(),
        CONTENT_LINK_TTL_SECONDS: String(props.contentLinkTtlSeconds),
        ...(props.cdn && {
          CDN_SETTINGS_PARAMETER: props.cdn.settingsParameterName,
          CDN_SIGNING_KEY_SECRET: props.cdn.signingKeySecretName,
        }),
        POWERTOOLS_SERVICE_NAME,
        POWERTOOLS_METRICS_NAMESPACE: props.metricsNamespace,
      },
    });

    props.imageBucket.grantApplicationAccess(this.function);

    Validations.of(role).acknowledge(
      {
        id: 'AwsSolutions-IAM5[Resource::*]',
        reason:
          'X-Ray PutTraceSegments/PutTelemetryRecords have no resource-level permissions; written by the tracing grant.',
      },
      ...bucketGrantFindings(
        props.imageBucket.bucket,
        APPLICATION_PREFIXES.map((prefix) => `${prefix}*`),
      ).map((id) => ({
        id,
        reason: `Written by bucket.grantReadWrite scoped to the application's prefixes (${APPLICATION_PREFIXES.join(', ')}) of this one bucket.`,
      })),
    );
    Validations.of(this.function).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason:
        'Invoked synchronously by API Gateway only; errors return to the caller, so there is no async event to dead-letter.',
    });
  }
}

function validateApiFunctionProps(props: ApiFunctionProps): void {
  requireMatch(
    'ApiFunction functionName',
    props.functionName,
    /^[A-Za-z0-9_-]{1,64}$/,
    'a Lambda function name (letters, digits, - and _, at most 64)',
  );
  requireMatch(
    'ApiFunction imageTag',
    props.imageTag,
    /^(?:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|sha256:[a-f0-9]{64})$/,
    'an ECR image tag (letters, digits, _ . -, at most 128) or a sha256: digest',
  );
  requireMatch(
    'ApiFunction metricsNamespace',
    props.metricsNamespace,
    /^[\w.#:-]{1,255}$/,
    'a CloudWatch namespace (letters, digits and . - _ # :, at most 255)',
  );
  requireInteger('ApiFunction memoryMb', props.function.memoryMb, 128, 10240);
  requireInteger(
    'ApiFunction timeoutSeconds',
    props.function.timeoutSeconds,
    1,
    API_GATEWAY_INTEGRATION_TIMEOUT_SECONDS - 1,
  );
  if (props.function.reservedConcurrency !== undefined) {
    requireInteger('ApiFunction reservedConcurrency', props.function.reservedConcurrency, 1, 1000);
  }
  requireInteger('ApiFunction maxUploadBytes', props.limits.maxUploadBytes, 1, MAX_UPLOAD_BYTES_THROUGH_API);
  requireInteger('ApiFunction maxImagePixels', props.limits.maxImagePixels, 1, 268_402_689);
  requireInteger('ApiFunction contentLinkTtlSeconds', props.contentLinkTtlSeconds, 60, 604_800);
  requireInteger('ApiFunction directUploadMaxBytes', props.limits.directUploadMaxBytes, 1, MAX_DIRECT_UPLOAD_BYTES);
}
