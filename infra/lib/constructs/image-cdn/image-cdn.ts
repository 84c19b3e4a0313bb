import * as path from 'node:path';
import { ArnFormat, Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as s3 from 'aws-cdk-lib/aws-s3';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { Construct } from 'constructs';
import { requireInteger, requireMatch } from '../../config/require';
import { IMAGES_PREFIX, VARIANTS_PREFIX } from '../image-bucket/image-bucket';

/** The viewer-request function's source: a plain file, so its unit test runs exactly what CloudFront runs. */
export const VARIANT_REQUEST_FUNCTION_FILE = path.join(__dirname, 'variant-request.js');
/** CloudFront Functions refuse code above 10 KB. */
export const CLOUDFRONT_FUNCTION_MAX_BYTES = 10 * 1024;
/** Viewer paths of variants, `/<id>/variants/<preset>`; everything else is an original, `/<id>`. */
export const VARIANTS_PATH_PATTERN = '/*/variants/*';
/**
 * Where the fallback origin (the function URL) receives a variant the bucket does not have yet: this prefix, then
 * the key the viewer-request function chose, `/<id>/<preset>.<format>` (contract with api/).
 */
export const VARIANT_FALLBACK_ORIGIN_PATH = '/cdn/variants';
/** Bucket statuses that mean "not stored yet" (OAC without s3:ListBucket answers 403 for a missing key). */
export const FALLBACK_STATUS_CODES = [403, 404] as const;
/** The sandbox every image answer carries, as the API sends it: rendered as a document, it runs and loads nothing. */
export const IMAGE_CONTENT_SECURITY_POLICY = "default-src 'none'; sandbox";

export interface CdnPublicKey {
  /** Names the key pair; also the Secrets Manager secret suffix that holds its private half. */
  readonly name: string;
  /** PEM of the RSA public key (the private key never enters the CDK app). */
  readonly encodedKey: string;
}

export interface ImageCdnProps {
  /** Prefix of the physical names (function, parameter, secret). */
  readonly namePrefix: string;
  readonly imageBucket: s3.Bucket;
  /** Makes and stores variants the bucket does not have yet (behind a function URL with Origin Access Control). */
  readonly fallbackFunction: lambda.Function;
  /** Every key CloudFront accepts signatures from; two during a rotation. */
  readonly publicKeys: readonly CdnPublicKey[];
  /** The key the application signs with; one of `publicKeys`. */
  readonly activeKeyName: string;
  readonly logsBucket: s3.IBucket;
  readonly logPrefix: string;
  /** How long browsers may keep an answer: the links' lifetime, since a link is re-issued after it. */
  readonly browserCacheSeconds: number;
  readonly priceClass: cloudfront.PriceClass;
  /** ARN of a CLOUDFRONT-scope WAF web ACL (it lives in us-east-1); none leaves the distribution without WAF. */
  readonly webAclArn?: string;
}

/**
 * CloudFront in front of the image bucket: originals straight from S3 through Origin Access Control, variants from
 * S3 with a failover to the function that makes them, signed URLs (trusted key group, canned policy) required on
 * every path, and the function allowed to purge this distribution on delete.
 */
export class ImageCdn extends Construct {
  readonly distribution: cloudfront.Distribution;
  readonly keyGroup: cloudfront.KeyGroup;
  readonly activePublicKey: cloudfront.PublicKey;
  /** What the application reads once per cold start: domain, distribution id and key pair id, as JSON. */
  readonly settingsParameter: ssm.StringParameter;
  readonly settingsParameterName: string;
  readonly signingKeySecretName: string;
  /** `cloudfront:CreateInvalidation` on this distribution, attached to the function's role. */
  readonly purgePolicy: iam.Policy;

  constructor(scope: Construct, id: string, props: ImageCdnProps) {
    super(scope, id);
    validateImageCdnProps(props);

    const publicKeys = props.publicKeys.map(
      (key) =>
        new cloudfront.PublicKey(this, `PublicKey-${key.name}`, {
          encodedKey: key.encodedKey,
          comment: `${props.namePrefix} link signing key ${key.name}`,
        }),
    );
    this.activePublicKey = publicKeys[props.publicKeys.findIndex((key) => key.name === props.activeKeyName)]!;
    this.keyGroup = new cloudfront.KeyGroup(this, 'KeyGroup', {
      items: publicKeys,
      comment: `${props.namePrefix}: keys whose signed URLs the distribution accepts`,
    });

    // Signs every request to the bucket; the bucket policy below admits exactly this distribution.
    const bucketAccess = new cloudfront.S3OriginAccessControl(this, 'BucketAccess', {
      signing: cloudfront.Signing.SIGV4_ALWAYS,
      description: `${props.namePrefix}: CloudFront reads the image bucket`,
    });
    const bucketOrigin = (prefix: string) =>
      origins.S3BucketOrigin.withBucketDefaults(props.imageBucket, {
        originPath: `/${prefix.replace(/\/$/, '')}`,
        originAccessControlId: bucketAccess.originAccessControlId,
      });

    const fallbackUrl = props.fallbackFunction.addFunctionUrl({ authType: lambda.FunctionUrlAuthType.AWS_IAM });
    const variantOrigins = new origins.OriginGroup({
      primaryOrigin: bucketOrigin(VARIANTS_PREFIX),
      fallbackOrigin: origins.FunctionUrlOrigin.withOriginAccessControl(fallbackUrl, {
        originPath: VARIANT_FALLBACK_ORIGIN_PATH,
        // Making a variant runs under the upload time budget; CloudFront's default 30 s is its ceiling too.
        readTimeout: Duration.seconds(30),
      }),
      fallbackStatusCodes: [...FALLBACK_STATUS_CODES],
    });

    // The key is the path alone: the viewer-request function put the format into it. No cookies, no headers,
    // no query string (the signature parameters change every window and would split the cache).
    const cachePolicy = new cloudfront.CachePolicy(this, 'ImageCachePolicy', {
      cachePolicyName: `${props.namePrefix}-images`,
      comment: 'Images by path only; they never change under one path',
      cookieBehavior: cloudfront.CacheCookieBehavior.none(),
      headerBehavior: cloudfront.CacheHeaderBehavior.none(),
      queryStringBehavior: cloudfront.CacheQueryStringBehavior.none(),
      // Already compressed: a gzip or brotli copy would only split the cache.
      enableAcceptEncodingGzip: false,
      enableAcceptEncodingBrotli: false,
      minTtl: Duration.seconds(0),
      defaultTtl: Duration.days(1),
      maxTtl: Duration.days(365),
    });
    const responseHeadersPolicy = new cloudfront.ResponseHeadersPolicy(this, 'ImageResponseHeaders', {
      responseHeadersPolicyName: `${props.namePrefix}-images`,
      comment: 'The headers the API sends with image bytes',
      securityHeadersBehavior: {
        strictTransportSecurity: {
          accessControlMaxAge: Duration.days(730),
          includeSubdomains: true,
          override: true,
        },
        contentTypeOptions: { override: true },
        contentSecurityPolicy: { contentSecurityPolicy: IMAGE_CONTENT_SECURITY_POLICY, override: true },
      },
      customHeadersBehavior: {
        customHeaders: [
          { header: 'Cache-Control', value: `public, max-age=${props.browserCacheSeconds}`, override: true },
        ],
      },
    });

    const variantRequest = new cloudfront.Function(this, 'VariantRequest', {
      functionName: `${props.namePrefix}-variant-request`,
      comment: 'Accept (or ?format=) into the variant key, so the format is part of the cache key',
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      code: cloudfront.FunctionCode.fromFile({ filePath: VARIANT_REQUEST_FUNCTION_FILE }),
    });

    const behaviour = {
      viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.HTTPS_ONLY,
      allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
      cachedMethods: cloudfront.CachedMethods.CACHE_GET_HEAD,
      cachePolicy,
      responseHeadersPolicy,
      compress: false,
      trustedKeyGroups: [this.keyGroup],
    } satisfies Partial<cloudfront.BehaviorOptions>;

    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `${props.namePrefix} image bytes`,
      defaultBehavior: { ...behaviour, origin: bucketOrigin(IMAGES_PREFIX) },
      additionalBehaviors: {
        [VARIANTS_PATH_PATTERN]: {
          ...behaviour,
          origin: variantOrigins,
          functionAssociations: [{ function: variantRequest, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }],
        },
      },
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      priceClass: props.priceClass,
      enableLogging: true,
      logBucket: props.logsBucket,
      logFilePrefix: props.logPrefix,
      // Cache hit rate (and origin latency) on the dashboard need CloudFront's additional metrics.
      publishAdditionalMetrics: true,
      webAclId: props.webAclArn,
    });

    // Admits this distribution only, and only under the two prefixes it serves (never incoming/ uploads).
    props.imageBucket.addToResourcePolicy(
      new iam.PolicyStatement({
        sid: 'CloudFrontReadsImages',
        principals: [new iam.ServicePrincipal('cloudfront.amazonaws.com')],
        actions: ['s3:GetObject'],
        resources: [IMAGES_PREFIX, VARIANTS_PREFIX].map((prefix) => props.imageBucket.arnForObjects(`${prefix}*`)),
        conditions: { StringEquals: { 'AWS:SourceArn': this.distribution.distributionArn } },
      }),
    );

    // The function learns the distribution through a parameter read by name, not through its environment:
    // the distribution depends on the function (its URL is an origin), so a reference back would be a cycle.
    this.settingsParameterName = cdnSettingsParameterName(props.namePrefix);
    this.settingsParameter = new ssm.StringParameter(this, 'Settings', {
      parameterName: this.settingsParameterName,
      description: 'CloudFront settings the API signs links with and purges (JSON)',
      stringValue: Stack.of(this).toJsonString({
        domainName: this.distribution.distributionDomainName,
        distributionId: this.distribution.distributionId,
        keyPairId: this.activePublicKey.publicKeyId,
      }),
    });
    this.signingKeySecretName = cdnSigningKeySecretName(props.namePrefix, props.activeKeyName);
    this.purgePolicy = this.grantApplicationAccess(props.fallbackFunction);

    this.acknowledgeFindings(props);
  }

  /**
   * Reading the settings and the private key (created outside CloudFormation, see docs/deploy.md), and one purge
   * per delete on this distribution only. Nothing here may make the function wait for the distribution, which
   * waits for the function's URL: the reads name their resources by name, the purge is a policy of its own.
   */
  private grantApplicationAccess(fn: lambda.Function): iam.Policy {
    const stack = Stack.of(this);
    // By name, not by the parameter's token, for the same reason as the purge policy below.
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['ssm:GetParameter'],
        resources: [
          stack.formatArn({
            service: 'ssm',
            resource: 'parameter',
            resourceName: this.settingsParameterName.slice(1),
          }),
        ],
      }),
    );
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['secretsmanager:GetSecretValue'],
        // Secrets Manager appends six random characters to a secret's name in its ARN.
        resources: [
          stack.formatArn({
            service: 'secretsmanager',
            resource: 'secret',
            resourceName: `${this.signingKeySecretName}-??????`,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ],
      }),
    );
    if (!fn.role) throw new Error('ImageCdn fallbackFunction must have an execution role');
    return new iam.Policy(this, 'PurgePolicy', {
      roles: [fn.role],
      statements: [
        new iam.PolicyStatement({
          actions: ['cloudfront:CreateInvalidation'],
          resources: [this.distribution.distributionArn],
        }),
      ],
    });
  }

  private acknowledgeFindings(props: ImageCdnProps): void {
    Validations.of(this.distribution).acknowledge(
      {
        id: 'AwsSolutions-CFR1',
        reason:
          'Images are served worldwide by design; access is already limited by signed URLs that expire after CONTENT_LINK_TTL_SECONDS.',
      },
      {
        id: 'AwsSolutions-CFR4',
        reason:
          'The distribution uses the default *.cloudfront.net certificate, for which CloudFront fixes the minimum TLS policy; a custom domain with its own certificate would set TLSv1.2_2021.',
      },
    );
    if (props.webAclArn === undefined) {
      Validations.of(this.distribution).acknowledge({
        id: 'AwsSolutions-CFR2',
        reason:
          'WAF is switched off for this stage in config (cdn.wafEnabled) to save its monthly cost; every request still needs a signed URL.',
      });
    }
  }
}

/** Name of the SSM parameter with the CDN settings (contract with api/: `CDN_SETTINGS_PARAMETER`). */
export function cdnSettingsParameterName(namePrefix: string): string {
  return `/${namePrefix}/cdn/settings`;
}

/** Name of the Secrets Manager secret holding the private half of a signing key pair (created by hand). */
export function cdnSigningKeySecretName(namePrefix: string, keyName: string): string {
  return `${namePrefix}/cdn/signing-key/${keyName}`;
}

function validateImageCdnProps(props: ImageCdnProps): void {
  requireMatch('ImageCdn namePrefix', props.namePrefix, /^[a-z0-9-]{1,40}$/, 'lowercase letters, digits and -');
  if (props.publicKeys.length < 1 || props.publicKeys.length > 2) {
    throw new Error(`ImageCdn publicKeys must hold one key, or two while rotating, got ${props.publicKeys.length}`);
  }
  for (const key of props.publicKeys) {
    requireMatch('ImageCdn publicKeys[].name', key.name, /^[a-z0-9-]{1,40}$/, 'lowercase letters, digits and -');
    if (!/^-----BEGIN PUBLIC KEY-----\n[A-Za-z0-9+/=\n]+\n-----END PUBLIC KEY-----\n?$/.test(key.encodedKey)) {
      throw new Error(`ImageCdn public key "${key.name}" must be a PEM "BEGIN PUBLIC KEY" block`);
    }
  }
  if (new Set(props.publicKeys.map((key) => key.name)).size !== props.publicKeys.length) {
    throw new Error('ImageCdn publicKeys must have distinct names');
  }
  if (!props.publicKeys.some((key) => key.name === props.activeKeyName)) {
    throw new Error(`ImageCdn activeKeyName "${props.activeKeyName}" is not one of the public keys`);
  }
  requireInteger('ImageCdn browserCacheSeconds', props.browserCacheSeconds, 1, 604_800);
  if (
    props.webAclArn !== undefined &&
    !Token.isUnresolved(props.webAclArn) &&
    !/^arn:aws[\w-]*:wafv2:us-east-1:\d{12}:global\/webacl\//.test(props.webAclArn)
  ) {
    throw new Error('ImageCdn webAclArn must be a CLOUDFRONT-scope web ACL, which lives in us-east-1');
  }
}
