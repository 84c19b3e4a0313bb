import type { AppConfig } from './app-config';

/** Image variant presets (IMAGE_VARIANTS): parsed and checked once, beside the settings. */

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
  const received = `IMAGE_VARIANTS=${JSON.stringify(value)}:`;
  for (const entry of value.split(',').map((item) => item.trim())) {
    const match = /^([^:]*):(\d+)$/.exec(entry);
    const name = match?.[1] ?? '';
    const size = Number(match?.[2]);
    if (!match || !PRESET_NAME.test(name)) {
      problems.push(`${received} "${entry}" is not name:size with a name of 1-32 characters a-z, 0-9 or -`);
    } else if (size < VARIANT_SIZE_RANGE.min || size > VARIANT_SIZE_RANGE.max) {
      problems.push(`${received} ${name}'s size must be ${VARIANT_SIZE_RANGE.min}..${VARIANT_SIZE_RANGE.max}`);
    } else if (presets.some((preset) => preset.name === name)) {
      problems.push(`${received} ${name} is defined twice`);
    } else {
      presets.push({ name, size });
    }
  }
  if (presets.length > MAX_VARIANT_PRESETS) problems.push(`${received} at most ${MAX_VARIANT_PRESETS} presets`);
  return { presets, problems };
}

/** What is wrong with IMAGE_VARIANTS and IMAGE_VARIANTS_EAGER together, one line each (variable, value, rule). */
export function variantProblems(
  config: Pick<AppConfig, 'IMAGE_VARIANTS' | 'IMAGE_VARIANTS_EAGER'>,
  env: Readonly<Record<string, string | undefined>>,
): string[] {
  const { presets, problems } = parseVariantPresets(config.IMAGE_VARIANTS);
  const eager = config.IMAGE_VARIANTS_EAGER;
  if (eager.length === 1 && eager[0] === 'none') return problems;
  for (const name of eager) {
    if (!presets.some((preset) => preset.name === name)) {
      problems.push(
        `IMAGE_VARIANTS_EAGER=${JSON.stringify(env.IMAGE_VARIANTS_EAGER ?? eager.join(','))}: ${name} is not one of IMAGE_VARIANTS`,
      );
    }
  }
  return problems;
}
