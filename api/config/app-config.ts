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

  /** Sized copies served at /images/{id}/variants/{name}: `name:longest side` pairs (checked in loadConfig). */
  @IsString()
  readonly IMAGE_VARIANTS: string = 'thumb:256,small:640,medium:1280,large:2048';

  /** Presets made at upload, so a gallery's first page needs no generation; `none` for none. */
  @Transform(toList)
  @IsString({ each: true })
  readonly IMAGE_VARIANTS_EAGER: string[] = ['thumb'];

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

  get variantPresets(): readonly VariantPreset[] {
    return parseVariantPresets(this.IMAGE_VARIANTS).presets;
  }

  get eagerVariantPresets(): readonly VariantPreset[] {
    const eager = new Set(this.IMAGE_VARIANTS_EAGER);
    return this.variantPresets.filter((preset) => eager.has(preset.name));
  }
}

export interface VariantPreset {
  readonly name: string;
  /** The longest side, in pixels, of the box the image is fitted inside. */
  readonly size: number;
}

export const MAX_VARIANT_PRESETS = 16;
export const VARIANT_SIZE_RANGE = { min: 16, max: 8192 } as const;
const PRESET_NAME = /^[a-z0-9-]{1,32}$/;

/** `thumb:256,small:640` → presets, with a message for every entry that is not a valid one. */
export function parseVariantPresets(value: string): { presets: VariantPreset[]; problems: string[] } {
  const presets: VariantPreset[] = [];
  const problems: string[] = [];
  for (const entry of value.split(',').map((item) => item.trim())) {
    const match = /^([^:]*):(\d+)$/.exec(entry);
    const name = match?.[1] ?? '';
    const size = Number(match?.[2]);
    if (!match || !PRESET_NAME.test(name)) {
      problems.push(`IMAGE_VARIANTS: "${entry}" is not name:size with a name of 1-32 characters a-z, 0-9 or -`);
    } else if (size < VARIANT_SIZE_RANGE.min || size > VARIANT_SIZE_RANGE.max) {
      problems.push(`IMAGE_VARIANTS: ${name}'s size must be ${VARIANT_SIZE_RANGE.min}..${VARIANT_SIZE_RANGE.max}`);
    } else if (presets.some((preset) => preset.name === name)) {
      problems.push(`IMAGE_VARIANTS: ${name} is defined twice`);
    } else {
      presets.push({ name, size });
    }
  }
  if (presets.length > MAX_VARIANT_PRESETS) problems.push(`IMAGE_VARIANTS: at most ${MAX_VARIANT_PRESETS} presets`);
  return { presets, problems };
}

function variantProblems(config: AppConfig): string[] {
  const { presets, problems } = parseVariantPresets(config.IMAGE_VARIANTS);
  const eager = config.IMAGE_VARIANTS_EAGER;
  if (eager.length === 1 && eager[0] === 'none') return problems;
  for (const name of eager) {
    if (!presets.some((preset) => preset.name === name)) {
      problems.push(`IMAGE_VARIANTS_EAGER: ${name} is not one of IMAGE_VARIANTS`);
    }
  }
  return problems;
}

const generatedCursorSecret = randomBytes(32).toString('base64url');

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
        known.concat('CURSOR_SECRET', 'LOG_FORMAT', 'S3_BUCKET', 'S3_ENDPOINT', 'NODE_ENV').includes(key),
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
  problems.push(...variantProblems(config));
  if (problems.length > 0) throw new ConfigValidationError(problems);
  return config;
}
