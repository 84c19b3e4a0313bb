import { randomBytes } from 'node:crypto';
import { plainToInstance } from 'class-transformer';
import { validateSync, type ValidationError } from 'class-validator';
import {
  BooleanSetting,
  BucketNameSetting,
  IntSetting,
  NameListSetting,
  isSecretSetting,
  OneOfSetting,
  OptionalSetting,
  PatternSetting,
  SecretSetting,
  settingNames,
  TextSetting,
  UrlListSetting,
  UrlSetting,
} from './setting.decorators';
import { parseVariantPresets, variantProblems, type VariantPreset } from './variant-presets';

export const STORAGE_DRIVERS = ['disk', 's3'] as const;
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export const LOG_FORMATS = ['json', 'pretty'] as const;

/**
 * Every setting the service reads, each declared once here: its rule (the decorator) and its default (the
 * initializer; none means unset). Validated once at start-up. README "Configuration" and `.env.example` list
 * the same settings and defaults, and a test keeps them so.
 */
export class AppConfig {
  @IntSetting(0, 65535)
  readonly PORT: number = 3000;

  @TextSetting()
  readonly HOST: string = '127.0.0.1';

  @OneOfSetting(STORAGE_DRIVERS)
  readonly STORAGE_DRIVER: (typeof STORAGE_DRIVERS)[number] = 'disk';

  @TextSetting()
  readonly STORAGE_DIR: string = './.data/images';

  /** Sized for the Lambda path: API Gateway caps request bodies near 10 MB and Lambda near 6 MB before base64. */
  @IntSetting(1024, 1024 * 1024 * 1024)
  readonly MAX_UPLOAD_BYTES: number = 4 * 1024 * 1024;

  /** Declared pixels (all frames together) allowed before any decode; guards against decompression bombs. */
  @IntSetting(1, 1_000_000_000)
  readonly MAX_IMAGE_PIXELS: number = 40_000_000;

  /**
   * Widest or tallest image accepted, checked from the header with the pixel limit: a 1×39,000,000 strip is
   * within 40 MP but costs libvips seconds of CPU per decode. WebP cannot exceed 16383 anyway.
   */
  @IntSetting(1, 65_535)
  readonly MAX_IMAGE_DIMENSION: number = 16_384;

  /** CPU budget for decoding and re-encoding one image; an image that needs more is refused (422). */
  @IntSetting(1, 25)
  readonly PROCESSING_TIMEOUT_SECONDS: number = 10;

  /** How long an upload may wait for a processing slot before the service answers 503 with Retry-After. */
  @IntSetting(0, 25_000)
  readonly PROCESSING_QUEUE_TIMEOUT_MS: number = 5000;

  @IntSetting(1, 4096)
  readonly MAX_ORIGINAL_NAME_LENGTH: number = 255;

  @IntSetting(1, 1000)
  readonly LIST_DEFAULT_LIMIT: number = 20;

  @IntSetting(1, 1000)
  readonly LIST_MAX_LIMIT: number = 100;

  /**
   * Image records kept in memory per process (least recently used go first), so a listing or a disk metadata read
   * does not fetch a record again; each is checked against the store before use (docs/adr/0003). 0 turns it off.
   */
  @IntSetting(0, 1_000_000)
  readonly RECORD_CACHE_MAX_ENTRIES: number = 10_000;

  /** Re-encode every upload: drops EXIF/XMP/IPTC (GPS included) and anything smuggled after the image data. */
  @BooleanSetting()
  readonly STRIP_METADATA: boolean = true;

  /** Images decoded at once; more wait their turn so a burst cannot exhaust memory. */
  @IntSetting(1, 64)
  readonly MAX_CONCURRENT_PROCESSING: number = 2;

  /** libvips operation cache; 0 (off) suits a service where every image is new. sharp's own default is 50. */
  @IntSetting(0, 4096)
  readonly SHARP_CACHE_MB: number = 0;

  /** libvips threads per image; 0 means one per CPU core (sharp's default). */
  @IntSetting(0, 64)
  readonly SHARP_THREADS_PER_IMAGE: number = 1;

  /** Time a client may take to send its request headers (plain HTTP server only; API Gateway has its own). */
  @IntSetting(1000, 600_000)
  readonly HEADERS_TIMEOUT_MS: number = 20_000;

  /** Time a client may take to send its whole request, upload included, before a 408. */
  @IntSetting(1000, 3_600_000)
  readonly REQUEST_TIMEOUT_MS: number = 60_000;

  /** HMAC key for pagination cursors; must be shared by every instance. A random one is used when unset. */
  @SecretSetting(32)
  readonly CURSOR_SECRET?: string;

  @OneOfSetting(LOG_LEVELS)
  readonly LOG_LEVEL: (typeof LOG_LEVELS)[number] = 'info';

  /** Unset: pretty in a terminal (outside production), JSON lines elsewhere. */
  @OptionalSetting()
  @OneOfSetting(LOG_FORMATS)
  readonly LOG_FORMAT?: (typeof LOG_FORMATS)[number];

  @UrlListSetting()
  readonly CORS_ORIGINS: string[] = [];

  @BucketNameSetting()
  readonly S3_BUCKET?: string;

  @UrlSetting()
  readonly S3_ENDPOINT?: string;

  @BooleanSetting()
  readonly S3_FORCE_PATH_STYLE: boolean = false;

  @TextSetting()
  readonly AWS_REGION: string = 'us-east-1';

  @IntSetting(100, 20_000)
  readonly S3_CONNECT_TIMEOUT_MS: number = 2000;

  @IntSetting(100, 25_000)
  readonly S3_REQUEST_TIMEOUT_MS: number = 5000;

  @IntSetting(1, 10)
  readonly S3_MAX_ATTEMPTS: number = 3;

  /** Largest image accepted through a presigned POST straight to S3. */
  @IntSetting(1024, 5 * 1024 * 1024 * 1024)
  readonly DIRECT_UPLOAD_MAX_BYTES: number = 50 * 1024 * 1024;

  @IntSetting(10, 3600)
  readonly DIRECT_UPLOAD_EXPIRES_SECONDS: number = 300;

  /**
   * With an object store, GET content answers images bigger than this with a 307 to a short-lived presigned URL:
   * Lambda cannot return more than 6 MB (about 4.4 MB of image once base64-encoded).
   */
  @IntSetting(1, 5 * 1024 * 1024 * 1024)
  readonly CONTENT_REDIRECT_BYTES: number = 4 * 1024 * 1024;

  @IntSetting(10, 3600)
  readonly CONTENT_URL_EXPIRES_SECONDS: number = 300;

  /** Sized copies served at /images/{id}/variants/{name}: `name:longest side` pairs (checked in loadConfig). */
  @TextSetting()
  readonly IMAGE_VARIANTS: string = 'thumb:256,small:640,medium:1280,large:2048';

  /** Presets made at upload, so a gallery's first page needs no generation; `none` for none. */
  @NameListSetting()
  readonly IMAGE_VARIANTS_EAGER: string[] = ['thumb'];

  /** The built web gallery (Vite's output); found beside the app when unset. */
  @OptionalSetting()
  @TextSetting()
  readonly GALLERY_DIR?: string;

  /** How long an `Idempotency-Key` is remembered; a retry after that is a new upload. */
  @IntSetting(60, 30 * 24 * 3600)
  readonly IDEMPOTENCY_KEY_TTL_SECONDS: number = 24 * 3600;

  /** How often storage is swept for abandoned uploads and expired keys (also once at start-up); 0 turns it off. */
  @IntSetting(0, 24 * 3600)
  readonly STORAGE_SWEEP_INTERVAL_SECONDS: number = 60;

  /** Lifetime of every content link the API returns (capability URLs that need no API key). */
  @IntSetting(60, 604_800)
  readonly CONTENT_LINK_TTL_SECONDS: number = 3600;

  /** HMAC key of the links the app signs itself (no CDN); shared by every instance. Random when unset. */
  @SecretSetting(32)
  readonly CONTENT_LINK_SECRET?: string;

  /** With a CDN: the SSM parameter holding its settings, and the secret holding the private signing key. */
  @PatternSetting(/^\/[\w./-]{1,1010}$/, 'an SSM parameter path')
  readonly CDN_SETTINGS_PARAMETER?: string;

  @PatternSetting(/^[\w/+=.@-]{1,512}$/, 'a Secrets Manager secret name')
  readonly CDN_SIGNING_KEY_SECRET?: string;

  @OptionalSetting()
  @TextSetting(64)
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

  get contentLinkSecret(): string {
    return this.CONTENT_LINK_SECRET ?? generatedContentLinkSecret;
  }
}

const generatedCursorSecret = randomBytes(32).toString('base64url');
const generatedContentLinkSecret = randomBytes(32).toString('base64url');

/** The names of every setting, in declaration order. */
export const SETTING_NAMES: readonly string[] = settingNames(AppConfig);

export class ConfigValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  ${problem}`).join('\n')}`);
    this.name = 'ConfigValidationError';
  }
}

type Env = Record<string, string | undefined>;

/** `NAME="value"` as received, `NAME (default 20)` or `NAME (unset)`; a secret's value is never shown. */
function received(name: string, env: Env, config: AppConfig): string {
  const value = env[name];
  if (value !== undefined && value !== '') {
    return isSecretSetting(AppConfig, name)
      ? `${name}=<${value.length} characters>`
      : `${name}=${JSON.stringify(value)}`;
  }
  const fallback: unknown = Reflect.get(config, name);
  return fallback === undefined ? `${name} (unset)` : `${name} (default ${String(fallback)})`;
}

/** One line per bad setting: what was received and the whole rule. */
function describe(errors: ValidationError[], env: Env, config: AppConfig): string[] {
  return errors.map((error) => {
    const rules = [...new Set(Object.values(error.constraints ?? {}))];
    return `${received(error.property, env, config)}: ${rules.join('; ')}`;
  });
}

/** Builds the typed config from an environment; throws a ConfigValidationError naming every bad variable. */
export function loadConfig(env: Env = process.env): AppConfig {
  const given = Object.fromEntries(
    SETTING_NAMES.filter((name) => env[name] !== undefined && env[name] !== '').map((name) => [name, env[name]]),
  );
  const config = plainToInstance(AppConfig, given, { exposeDefaultValues: true });
  const problems = describe(validateSync(config, { forbidUnknownValues: true }), env, config);
  const report = (name: string, rule: string) => problems.push(`${received(name, env, config)}: ${rule}`);
  if (config.STORAGE_DRIVER === 's3' && !config.S3_BUCKET) report('S3_BUCKET', 'required when STORAGE_DRIVER=s3');
  if (config.LIST_DEFAULT_LIMIT > config.LIST_MAX_LIMIT) {
    report('LIST_DEFAULT_LIMIT', `must not exceed LIST_MAX_LIMIT (${config.LIST_MAX_LIMIT})`);
  }
  if (config.HEADERS_TIMEOUT_MS > config.REQUEST_TIMEOUT_MS) {
    report('HEADERS_TIMEOUT_MS', `must not exceed REQUEST_TIMEOUT_MS (${config.REQUEST_TIMEOUT_MS})`);
  }
  problems.push(...variantProblems(config, env));
  if ((config.CDN_SETTINGS_PARAMETER === undefined) !== (config.CDN_SIGNING_KEY_SECRET === undefined)) {
    report('CDN_SIGNING_KEY_SECRET', 'set together with CDN_SETTINGS_PARAMETER, or neither');
  }
  if (problems.length > 0) throw new ConfigValidationError(problems);
  return config;
}
