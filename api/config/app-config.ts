import { randomBytes } from 'node:crypto';
import { plainToInstance, Transform } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  validateSync,
  type ValidationError,
} from 'class-validator';

const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number.parseInt(value, 10) : value;
const toBool = ({ value }: { value: unknown }) => {
  if (typeof value !== 'string') return value;
  const normalized = value.trim().toLowerCase();
  if (['true', '1', 'yes'].includes(normalized)) return true;
  if (['false', '0', 'no'].includes(normalized)) return false;
  return value;
};
const toList = ({ value }: { value: unknown }) =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean)
    : value;

export const STORAGE_DRIVERS = ['disk', 's3'] as const;
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const LOG_FORMATS = ['json', 'pretty'] as const;

/**
 * Every setting the service reads, validated once at start-up. Unset values take the defaults below, which
 * are the documented ones (README "Configuration").
 */
export class AppConfig {
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  readonly PORT: number = 3000;

  @IsString()
  @MinLength(1)
  readonly HOST: string = '127.0.0.1';

  @IsIn(STORAGE_DRIVERS)
  readonly STORAGE_DRIVER: (typeof STORAGE_DRIVERS)[number] = 'disk';

  @IsString()
  @MinLength(1)
  readonly STORAGE_DIR: string = './.data/images';

  /** Sized for the Lambda path: API Gateway caps request bodies near 10 MB and Lambda near 6 MB before base64. */
  @Transform(toInt)
  @IsInt()
  @Min(1024)
  @Max(1024 * 1024 * 1024)
  readonly MAX_UPLOAD_BYTES: number = 4 * 1024 * 1024;

  /** Declared pixels (all frames together) allowed before any decode; guards against decompression bombs. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1_000_000_000)
  readonly MAX_IMAGE_PIXELS: number = 40_000_000;

  /**
   * Widest or tallest image accepted, checked from the header with the pixel limit: a 1×39,000,000 strip is
   * within 40 MP but costs libvips seconds of CPU per decode. WebP cannot exceed 16383 anyway.
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(65_535)
  readonly MAX_IMAGE_DIMENSION: number = 16_384;

  /** CPU budget for decoding and re-encoding one image; an image that needs more is refused (422). */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(25)
  readonly PROCESSING_TIMEOUT_SECONDS: number = 10;

  /** How long an upload may wait for a processing slot before the service answers 503 with Retry-After. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(25_000)
  readonly PROCESSING_QUEUE_TIMEOUT_MS: number = 5000;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(4096)
  readonly MAX_ORIGINAL_NAME_LENGTH: number = 255;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  readonly LIST_DEFAULT_LIMIT: number = 20;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  readonly LIST_MAX_LIMIT: number = 100;

  /** Re-encode every upload: drops EXIF/XMP/IPTC (GPS included) and anything smuggled after the image data. */
  @Transform(toBool)
  @IsBoolean()
  readonly STRIP_METADATA: boolean = true;

  /** Images decoded at once; more wait their turn so a burst cannot exhaust memory. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(64)
  readonly MAX_CONCURRENT_PROCESSING: number = 2;

  /** Time a client may take to send its request headers (plain HTTP server only; API Gateway has its own). */
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  @Max(600_000)
  readonly HEADERS_TIMEOUT_MS: number = 20_000;

  /** Time a client may take to send its whole request, upload included, before a 408. */
  @Transform(toInt)
  @IsInt()
  @Min(1000)
  @Max(3_600_000)
  readonly REQUEST_TIMEOUT_MS: number = 60_000;

  /** HMAC key for pagination cursors; must be shared by every instance. A random one is used when unset. */
  @IsOptional()
  @IsString()
  @MinLength(32)
  readonly CURSOR_SECRET?: string;

  @IsIn(LOG_LEVELS)
  readonly LOG_LEVEL: (typeof LOG_LEVELS)[number] = 'info';

  @IsOptional()
  @IsIn(LOG_FORMATS)
  readonly LOG_FORMAT?: (typeof LOG_FORMATS)[number];

  @Transform(toList)
  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true }, { each: true })
  readonly CORS_ORIGINS: string[] = [];

  @IsOptional()
  @IsString()
  @Matches(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, { message: 'S3_BUCKET must be a valid bucket name' })
  readonly S3_BUCKET?: string;

  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['http', 'https'] })
  readonly S3_ENDPOINT?: string;

  @Transform(toBool)
  @IsBoolean()
  readonly S3_FORCE_PATH_STYLE: boolean = false;

  @IsString()
  @MinLength(1)
  readonly AWS_REGION: string = 'us-east-1';

  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(20_000)
  readonly S3_CONNECT_TIMEOUT_MS: number = 2000;

  @Transform(toInt)
  @IsInt()
  @Min(100)
  @Max(25_000)
  readonly S3_REQUEST_TIMEOUT_MS: number = 5000;

  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(10)
  readonly S3_MAX_ATTEMPTS: number = 3;

  /** Largest image accepted through a presigned POST straight to S3. */
  @Transform(toInt)
  @IsInt()
  @Min(1024)
  @Max(5 * 1024 * 1024 * 1024)
  readonly DIRECT_UPLOAD_MAX_BYTES: number = 50 * 1024 * 1024;

  @Transform(toInt)
  @IsInt()
  @Min(10)
  @Max(3600)
  readonly DIRECT_UPLOAD_EXPIRES_SECONDS: number = 300;

  /**
   * With an object store, GET content answers images bigger than this with a 307 to a short-lived presigned URL:
   * Lambda cannot return more than 6 MB (about 4.4 MB of image once base64-encoded).
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(5 * 1024 * 1024 * 1024)
  readonly CONTENT_REDIRECT_BYTES: number = 4 * 1024 * 1024;

  @Transform(toInt)
  @IsInt()
  @Min(10)
  @Max(3600)
  readonly CONTENT_URL_EXPIRES_SECONDS: number = 300;

  /** Lifetime of every content link the API returns (capability URLs that need no API key). */
  @Transform(toInt)
  @IsInt()
  @Min(60)
  @Max(604_800)
  readonly CONTENT_LINK_TTL_SECONDS: number = 3600;

  /** HMAC key of the links the app signs itself (no CDN); shared by every instance. Random when unset. */
  @IsOptional()
  @IsString()
  @MinLength(32)
  readonly CONTENT_LINK_SECRET?: string;

  /** With a CDN: the SSM parameter holding its settings, and the secret holding the private signing key. */
  @IsOptional()
  @IsString()
  @Matches(/^\/[\w./-]{1,1010}$/, { message: 'CDN_SETTINGS_PARAMETER must be an SSM parameter path' })
  readonly CDN_SETTINGS_PARAMETER?: string;

  @IsOptional()
  @IsString()
  @Matches(/^[\w/+=.@-]{1,512}$/, { message: 'CDN_SIGNING_KEY_SECRET must be a Secrets Manager secret name' })
  readonly CDN_SIGNING_KEY_SECRET?: string;

  @IsOptional()
  @IsString()
  @MaxLength(64)
  readonly NODE_ENV?: string;

  get logFormat(): (typeof LOG_FORMATS)[number] {
    return this.LOG_FORMAT ?? (process.stdout.isTTY && this.NODE_ENV !== 'production' ? 'pretty' : 'json');
  }

  get cursorSecret(): string {
    return this.CURSOR_SECRET ?? generatedCursorSecret;
  }

  get contentLinkSecret(): string {
    return this.CONTENT_LINK_SECRET ?? generatedContentLinkSecret;
  }
}

const generatedCursorSecret = randomBytes(32).toString('base64url');
const generatedContentLinkSecret = randomBytes(32).toString('base64url');

export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigValidationError';
  }
}

const flatten = (errors: ValidationError[]): string[] =>
  errors.flatMap((error) => [
    ...Object.values(error.constraints ?? {}).map((message) =>
      message.startsWith(error.property) ? message : `${error.property}: ${message}`,
    ),
    ...flatten(error.children ?? []),
  ]);

/** Builds the typed config from an environment; throws a ConfigValidationError naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): AppConfig {
  const known = Object.keys(new AppConfig());
  const relevant = Object.fromEntries(
    Object.entries(env).filter(
      ([key, value]) =>
        value !== undefined &&
        value !== '' &&
        known
          .concat('CURSOR_SECRET', 'LOG_FORMAT', 'S3_BUCKET', 'S3_ENDPOINT', 'NODE_ENV')
          .concat('CONTENT_LINK_SECRET', 'CDN_SETTINGS_PARAMETER', 'CDN_SIGNING_KEY_SECRET')
          .includes(key),
    ),
  );
  const config = plainToInstance(AppConfig, relevant, { exposeDefaultValues: true });
  const problems = flatten(validateSync(config, { forbidUnknownValues: true }));
  if (config.STORAGE_DRIVER === 's3' && !config.S3_BUCKET)
    problems.push('S3_BUCKET is required when STORAGE_DRIVER=s3');
  if (config.LIST_DEFAULT_LIMIT > config.LIST_MAX_LIMIT)
    problems.push('LIST_DEFAULT_LIMIT must not exceed LIST_MAX_LIMIT');
  if (config.HEADERS_TIMEOUT_MS > config.REQUEST_TIMEOUT_MS)
    problems.push('HEADERS_TIMEOUT_MS must not exceed REQUEST_TIMEOUT_MS');
  if ((config.CDN_SETTINGS_PARAMETER === undefined) !== (config.CDN_SIGNING_KEY_SECRET === undefined))
    problems.push('CDN_SETTINGS_PARAMETER and CDN_SIGNING_KEY_SECRET are set together or not at all');
  if (problems.length > 0) throw new ConfigValidationError(problems);
  return config;
}
