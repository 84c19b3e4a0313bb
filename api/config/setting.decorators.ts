import { Transform } from 'class-transformer';
import {
  getMetadataStorage,
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
  type ValidationOptions,
} from 'class-validator';

// One decorator per kind of setting, each carrying its whole rule as the message, so a bad value is reported
// with the rule it broke whichever part of it failed ("abc" fails IsInt, Min and Max alike: one message).

type Decorator = (target: object, propertyKey: string) => void;
const all =
  (...decorators: PropertyDecorator[]): Decorator =>
  (target, propertyKey) => {
    for (const decorator of decorators) decorator(target, propertyKey);
  };
const rule = (message: string): ValidationOptions => ({ message });

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

/** A whole number from `min` to `max`. */
export const IntSetting = (min: number, max: number) => {
  const options = rule(`must be a whole number from ${min} to ${max}`);
  return all(Transform(toInt), IsInt(options), Min(min, options), Max(max, options));
};

export const BooleanSetting = () => all(Transform(toBool), IsBoolean(rule('must be true or false (or 1/0, yes/no)')));

export const OneOfSetting = (values: readonly string[]) => IsIn(values, rule(`must be one of ${values.join(', ')}`));

export const TextSetting = (maxLength = 4096) => {
  const options = rule(`must be text of 1 to ${maxLength} characters`);
  return all(IsString(options), MinLength(1, options), MaxLength(maxLength, options));
};

/** Optional; `minLength` characters at least. Its value is never shown in a message. */
export const SecretSetting = (minLength: number) =>
  all(
    IsOptional(),
    Secret,
    IsString(rule(`must be at least ${minLength} characters`)),
    MinLength(minLength, rule(`must be at least ${minLength} characters`)),
  );

export const UrlSetting = () =>
  all(
    IsOptional(),
    IsUrl(
      { require_tld: false, require_protocol: true, protocols: ['http', 'https'] },
      rule('must be an http:// or https:// URL'),
    ),
  );

/** A comma-separated list of names. */
export const NameListSetting = () =>
  all(Transform(toList), IsString({ each: true, message: 'must be a comma-separated list of names' }));

export const UrlListSetting = () =>
  all(
    Transform(toList),
    IsUrl(
      { require_tld: false, require_protocol: true },
      {
        each: true,
        message: 'must be a comma-separated list of origins with their protocol, e.g. https://app.example',
      },
    ),
  );

export const BucketNameSetting = () =>
  all(
    IsOptional(),
    Matches(
      /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/,
      rule('must be an S3 bucket name: 3 to 63 lowercase letters, digits, dots and hyphens'),
    ),
  );

/** Optional text matching `pattern`, described by `what` (e.g. "an SSM parameter path"). */
export const PatternSetting = (pattern: RegExp, what: string) =>
  all(IsOptional(), Matches(pattern, rule(`must be ${what}`)));

/** For a setting with no default: unset is fine, a value must pass the rule. */
export const OptionalSetting = () => IsOptional();

const secrets = new WeakMap<object, Set<string>>();
function Secret(target: object, propertyKey: string | symbol): void {
  const names = secrets.get(target) ?? new Set<string>();
  names.add(String(propertyKey));
  secrets.set(target, names);
}

/** Every setting a class declares: each one carries at least one of the decorators above. */
export function settingNames(type: new () => object): string[] {
  const metadata = getMetadataStorage().getTargetValidationMetadatas(type, '', true, false);
  return [...new Set(metadata.map((entry) => entry.propertyName))];
}

export function isSecretSetting(type: new () => object, name: string): boolean {
  return secrets.get(type.prototype)?.has(name) ?? false;
}
