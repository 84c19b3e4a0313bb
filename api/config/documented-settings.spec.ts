import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AppConfig, SETTING_NAMES } from './app-config';

// `.env.example` and the README's configuration table are written by hand for people; this keeps both listing
// exactly the settings AppConfig declares, with AppConfig's defaults.
const root = resolve(__dirname, '../..');
const defaults = new AppConfig();
const defaultText = (name: string): string | undefined => {
  const value: unknown = Reflect.get(defaults, name);
  if (value === undefined || (Array.isArray(value) && value.length === 0)) return undefined;
  return Array.isArray(value) ? value.join(',') : String(value);
};

describe('.env.example', () => {
  const lines = readFileSync(resolve(root, '.env.example'), 'utf8').split('\n');
  const settings = new Map(
    lines.flatMap((line) => {
      const match = /^# ([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
      return match ? [[match[1], match[2]] as const] : [];
    }),
  );

  it('lists every setting once, and nothing else', () => {
    const names = lines.flatMap((line) => /^# ([A-Z][A-Z0-9_]*)=/.exec(line)?.[1] ?? []);
    expect(names.length).toBe(new Set(names).size);
    expect([...settings.keys()].sort()).toEqual([...SETTING_NAMES].sort());
  });

  it.each(SETTING_NAMES)('shows the default of %s (empty when it has none)', (name) => {
    expect(settings.get(name)).toBe(defaultText(name) ?? '');
  });

  it('changes nothing when copied to .env as it is', () => {
    expect(lines.filter((line) => line.trim() !== '' && !line.startsWith('#'))).toEqual([]);
  });
});

describe('README configuration table', () => {
  const readme = readFileSync(resolve(root, 'README.md'), 'utf8');
  const section = readme.slice(
    readme.indexOf('\n## Configuration\n'),
    readme.indexOf('\n## ', readme.indexOf('\n## Configuration\n') + 5),
  );
  const rows = section
    .split('\n')
    .filter((line) => /^\| `[A-Z]/.test(line))
    .flatMap((line) => {
      const [names, values] = line
        .split('|')
        .slice(1, 3)
        .map((cell) => cell.trim().split(' / '));
      expect(names.length).toBe(values.length);
      return names.map((name, index) => [name.replaceAll('`', ''), values[index]] as const);
    });
  const documented = new Map(rows);

  it('lists every setting once, and nothing else', () => {
    expect(rows.length).toBe(documented.size);
    expect([...documented.keys()].sort()).toEqual([...SETTING_NAMES].sort());
  });

  it.each(SETTING_NAMES)('states the default of %s', (name) => {
    const expected = defaultText(name);
    const cell = documented.get(name) ?? '';
    if (expected === undefined) expect(cell).not.toMatch(/^`[^`]*`$/);
    else expect(cell.startsWith(`\`${expected}\``)).toBe(true);
  });
});
