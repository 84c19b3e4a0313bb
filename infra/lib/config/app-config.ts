/**
 * The typed configuration of the whole app. Values live in `stages.ts`; a few can be overridden with
 * `cdk -c key=value` (see `load-config.ts`). Everything is validated once in `validate-config.ts`.
 */

export const STAGE_NAMES = ['dev', 'prod'] as const;
export type StageName = (typeof STAGE_NAMES)[number];

export type FunctionArchitecture = 'arm64' | 'x86_64';

/** What happens to stateful resources (buckets, ECR repository, log groups) when a stack is deleted. */
export type StatefulRemoval = 'destroy' | 'retain';

export interface FunctionConfig {
  /** Must match the platform the image was built for (`docker buildx --platform linux/amd64|linux/arm64`). */
  readonly architecture: FunctionArchitecture;
  readonly memoryMb: number;
  /** Below API Gateway's 29 s integration limit, so the function answers before the gateway gives up. */
  readonly timeoutSeconds: number;
  /** Undefined leaves the function on the account's unreserved pool (new accounts only have 10 in total). */
  readonly reservedConcurrency?: number;
  readonly logLevel: 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
}

export interface UploadLimits {
  /** Largest image accepted through the API (multipart through API Gateway and Lambda). */
  readonly maxUploadBytes: number;
  readonly maxImagePixels: number;
  /** Largest image accepted through a presigned POST straight to S3. */
  readonly directUploadMaxBytes: number;
}

export interface ApiConfig {
  /** Stage-wide default throttling (requests per second, steady and burst). */
  readonly throttleRateLimit: number;
  readonly throttleBurstLimit: number;
  /** Requests per day for the reviewers' API key. */
  readonly reviewerQuotaPerDay: number;
  /** Browser origins allowed by CORS on the API and on the bucket (presigned POST). */
  readonly corsAllowedOrigins: readonly string[];
  readonly wafEnabled: boolean;
  /** Requests per source IP per 5 minutes before the WAF rate rule blocks. */
  readonly wafRateLimitPer5Minutes: number;
}

export interface AlarmConfig {
  /** Optional address subscribed to the alarm topic (confirm the e-mail AWS sends). */
  readonly email?: string;
  readonly max5xxRatePercent: number;
  readonly maxP99LatencyMs: number;
  readonly maxLambdaErrorsPer5Minutes: number;
  readonly maxLambdaThrottlesPer5Minutes: number;
}

export type CdnPriceClass = 'PriceClass_100' | 'PriceClass_200' | 'PriceClass_All';

export interface CdnConfig {
  /** Off: the stage serves bytes through the API only, with links the application signs itself. */
  readonly enabled: boolean;
  /**
   * Names of the link-signing public keys in `infra/keys/<stage>/<name>.pem`, all trusted by the distribution
   * (two while rotating, docs/operations.md); the private halves live in Secrets Manager only.
   */
  readonly keyNames: readonly string[];
  /** The key the application signs with now. */
  readonly activeKeyName: string;
  readonly priceClass: CdnPriceClass;
  /** A CLOUDFRONT-scope web ACL, which lives in the stage's us-east-1 edge stack. */
  readonly wafEnabled: boolean;
  readonly wafRateLimitPer5Minutes: number;
  readonly max4xxRatePercent: number;
  readonly max5xxRatePercent: number;
  /** Alarm when the edge answers fewer requests than this from its cache. */
  readonly minCacheHitRatePercent: number;
}

export interface StageConfig {
  readonly stageName: StageName;
  /** Optional explicit environment; omitted means an environment-agnostic stage (no lookups either way). */
  readonly account?: string;
  readonly region?: string;
  readonly statefulRemoval: StatefulRemoval;
  /** CloudWatch Logs retention for function and access logs. */
  readonly logRetentionDays: number;
  /** How long archived logs stay in the logs bucket. */
  readonly logArchiveExpirationDays: number;
  /** How long overwritten or deleted image versions are kept. */
  readonly noncurrentVersionExpirationDays: number;
  /** ECR keeps this many most recent images; older ones are expired. */
  readonly ecrMaxImageCount: number;
  readonly function: FunctionConfig;
  readonly limits: UploadLimits;
  readonly api: ApiConfig;
  readonly alarms: AlarmConfig;
  /** Lifetime of every content link the API returns (CONTENT_LINK_TTL_SECONDS), with or without the CDN. */
  readonly contentLinkTtlSeconds: number;
  readonly cdn: CdnConfig;
}

export interface GithubConfig {
  readonly owner: string;
  readonly repo: string;
}

export interface AppConfig {
  /** Prefix of every physical name: `<appName>-<stage>-…`. */
  readonly appName: string;
  readonly github: GithubConfig;
  /** Qualifier of the `cdk bootstrap` stack whose roles the deploy role may assume. */
  readonly cdkBootstrapQualifier: string;
  readonly stages: { readonly [S in StageName]: StageConfig };
}
