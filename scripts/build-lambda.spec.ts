import { runInNewContext } from 'node:vm';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { asciiOnly, memoizedInteropHelpers } from './build-lambda.mjs';

/** Bundles `files` (entry: entry.mjs) as the Lambda build does (CommonJS, minified) and runs the result. */
async function bundleAndRun(files: Record<string, string>, transform: (code: string) => string) {
  const { outputFiles } = await build({
    stdin: { contents: `export * from './entry.mjs';`, resolveDir: '/', loader: 'js' },
    bundle: true,
    format: 'cjs',
    platform: 'node',
    minify: true,
    keepNames: true,
    write: false,
    logLevel: 'silent',
    plugins: [
      {
        name: 'in-memory',
        setup(pluginBuild) {
          pluginBuild.onResolve({ filter: /^\.\// }, (args) => ({ path: args.path.slice(2), namespace: 'mem' }));
          pluginBuild.onLoad({ filter: /.*/, namespace: 'mem' }, (args) => ({
            contents: files[args.path] ?? '',
            loader: 'js',
            resolveDir: '/',
          }));
        },
      },
    ],
  });
  const module = { exports: {} as Record<string, unknown> };
  runInNewContext(transform(outputFiles[0]?.text ?? ''), { module, exports: module.exports });
  return module.exports;
}

// Two ES modules import the same CommonJS module; a third reads one export that a cycle adds late.
const FILES = {
  'entry.mjs': `import { a } from './one.mjs'; import { b } from './two.mjs'; import { late } from './three.mjs';
    export const result = { same: a === b, late: late() };`,
  'one.mjs': `import * as cjs from './dep.cjs'; export const a = cjs;`,
  'two.mjs': `import * as cjs from './dep.cjs'; export const b = cjs;`,
  'three.mjs': `import * as cjs from './dep.cjs'; export const late = () => cjs.added;`,
  'dep.cjs': `exports.value = 1; exports.added = 'here';`,
};

describe(memoizedInteropHelpers.name, () => {
  it('gives every importer of a CommonJS module the same namespace (esbuild copies it per importer)', async () => {
    expect(await bundleAndRun(FILES, (code) => code)).toMatchObject({ result: { same: false, late: 'here' } });
    expect(await bundleAndRun(FILES, memoizedInteropHelpers)).toMatchObject({ result: { same: true, late: 'here' } });
  });

  it('makes a fresh copy for a module that has gained exports since (a cycle still loading)', async () => {
    const cycle = {
      // Loading dep.cjs loads early.mjs, which imports dep.cjs while it has only `one`: the shape of a cycle.
      'entry.mjs': `import * as dep from './dep.cjs'; import { early } from './early.mjs';
        export const result = { early: early(), after: Object.keys(dep).sort().join() };`,
      'early.mjs': `import * as dep from './dep.cjs'; export const early = () => Object.keys(dep).sort().join();`,
      'dep.cjs': `exports.one = 1; require('./early.mjs'); exports.two = 2;`,
    };
    const { result } = (await bundleAndRun(cycle, memoizedInteropHelpers)) as { result: Record<string, string> };
    expect(result).toEqual({ early: 'default,one', after: 'default,one,two' });
  });

  it('refuses code without exactly one copy of the helpers', () => {
    expect(() => memoizedInteropHelpers('var x = 1;')).toThrow(/found 0 times/);
  });
});

describe(asciiOnly.name, () => {
  it('escapes non-ASCII text to the same UTF-16 units in strings and regular expressions', () => {
    const escaped = asciiOnly('result = [/^[A-ZÇƏ]+$/i.test("çə"), "é😀", /😀/u.test("a😀")];');
    expect(escaped).toMatch(/^[\x20-\x7e]*$/);
    expect(runInNewContext(`${escaped} result`)).toEqual([true, 'é😀', true]);
  });

  it('refuses a non-ASCII character after a backslash (an identity escape would change meaning)', () => {
    expect(() => asciiOnly('/\\é/')).toThrow(/after a backslash/);
  });
});
