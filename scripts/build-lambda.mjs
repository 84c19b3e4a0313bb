#!/usr/bin/env node
// Builds the Lambda artifact: dist-lambda/lambda.js (one esbuild bundle of api/lambda.ts) plus node_modules with
// only what cannot be bundled (sharp and its native packages for linux), and Swagger UI's static files, which
// are read from disk only when /docs is requested.
//
//   npm run build:lambda                      # linux-x64 on x64 machines (the function's architecture in infra/)
//   LAMBDA_ARCH=arm64 npm run build:lambda    # linux-arm64 (fetches sharp's arm64 packages with npm if missing)
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { transform } from '@swc/core';
import { build } from 'esbuild';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const readJson = (path) => JSON.parse(readFileSync(path, 'utf8'));

export const DEFAULT_OUT_DIR = join(root, 'dist-lambda');
export const HANDLER_FILE = 'lambda.js';
/** Swagger UI files the page loads; source maps and the ES bundles are never requested. */
const SWAGGER_UI_FILES = [
  'swagger-ui-bundle.js',
  'swagger-ui-standalone-preset.js',
  'swagger-ui.css',
  'index.css',
  'favicon-16x16.png',
  'favicon-32x32.png',
  'oauth2-redirect.html',
  'oauth2-redirect.js',
  'LICENSE',
];
/** Optional peers Nest probes for and we never use; left as runtime requires that fail softly. */
const OPTIONAL_EXTERNALS = [
  '@nestjs/microservices',
  '@nestjs/microservices/*',
  '@nestjs/websockets',
  '@nestjs/websockets/*',
  '@fastify/static',
  '@grpc/grpc-js',
  '@nestjs/typeorm',
  '@nestjs/mongoose',
  '@nestjs/sequelize',
  '@mikro-orm/core',
  '@prisma/client',
  '@nestjs/axios',
  'typeorm',
  'mongoose',
  'sequelize',
  '@apollo/gateway',
  'class-transformer/storage',
  'pino-pretty',
  'aws-crt',
];

/**
 * esbuild does not emit decorator metadata, which Nest's dependency injection reads; SWC does (the same transform
 * vitest uses), so our TypeScript goes through SWC first.
 */
const decoratorMetadataPlugin = {
  name: 'swc-decorator-metadata',
  setup(pluginBuild) {
    pluginBuild.onLoad({ filter: /\/api\/.*\.ts$/ }, async (args) => {
      const source = readFileSync(args.path, 'utf8');
      const output = await transform(source, {
        filename: args.path,
        sourceMaps: 'inline',
        jsc: {
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
          target: 'es2023',
          keepClassNames: true,
        },
        module: { type: 'es6' },
      });
      return { contents: output.code, loader: 'js' };
    });
  },
};

/**
 * sharp (libvips, ~40 ms and ~25 MB of RSS to load) is only needed by uploads. The app imports it as usual; in
 * the bundle that import gets a stand-in that loads the real module on first use, so GETs never pay for it.
 */
const lazySharpPlugin = {
  name: 'lazy-sharp',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^sharp$/ }, (args) =>
      args.namespace === 'lazy-sharp' ? { path: 'sharp', external: true } : { path: 'sharp', namespace: 'lazy-sharp' },
    );
    pluginBuild.onLoad({ filter: /.*/, namespace: 'lazy-sharp' }, () => ({
      loader: 'js',
      contents: `
        let sharp;
        const load = () => (sharp ??= require('sharp'));
        module.exports = new Proxy(function sharpStandIn() {}, {
          apply: (_target, thisArg, args) => load().apply(thisArg, args),
          construct: (_target, args) => new (load())(...args),
          // Interop helpers probe __esModule; answering without loading keeps the import lazy (sharp is CommonJS).
          get: (_target, property) => (property === '__esModule' ? undefined : load()[property]),
          has: (_target, property) => property in load(),
        });`,
    }));
  },
};

/**
 * class-validator imports every validator, and IsPhoneNumber pulls in libphonenumber-js with its metadata
 * (~15 ms to evaluate on every cold start). No DTO here validates phone numbers; the stand-in evaluates the real
 * module only if one ever does.
 */
const lazyPhoneNumbersPlugin = {
  name: 'lazy-libphonenumber',
  setup(pluginBuild) {
    pluginBuild.onResolve({ filter: /^libphonenumber-js\/max$/ }, (args) =>
      args.namespace === 'lazy-phone'
        ? undefined
        : { path: args.path, namespace: 'lazy-phone', pluginData: args.resolveDir },
    );
    pluginBuild.onLoad({ filter: /.*/, namespace: 'lazy-phone' }, (args) => ({
      loader: 'js',
      resolveDir: args.pluginData,
      contents: `
        let real;
        const load = () => (real ??= require('libphonenumber-js/max'));
        module.exports = new Proxy({}, {
          get: (_target, property) => (property === '__esModule' ? undefined : load()[property]),
          has: (_target, property) => property in load(),
        });`,
    }));
  },
};

/**
 * Some ESM packages build their own `require` with `createRequire(import.meta.url)` (Nest's mapped-types and
 * terminus for class-validator and @nestjs/swagger). In a bundle that would look for node_modules next to
 * lambda.js; turning it back into a plain `require` lets esbuild bundle (and dedupe) those packages.
 */
const plainRequirePlugin = {
  name: 'plain-require',
  setup(pluginBuild) {
    pluginBuild.onLoad({ filter: /node_modules\/@nestjs\/(mapped-types|terminus|swagger)\/.*\.js$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      if (!source.includes('createRequire(import.meta.url)')) return undefined;
      return { contents: source.replace(/const require = createRequire\(import\.meta\.url\);/, ''), loader: 'js' };
    });
    // Swagger UI's assets live in swagger-ui/ beside the bundle, not in a package directory.
    pluginBuild.onResolve({ filter: /^swagger-ui-dist\/absolute-path(\.js)?$/ }, () => ({
      path: 'swagger-ui-absolute-path',
      namespace: 'imagestore',
    }));
    pluginBuild.onLoad({ filter: /.*/, namespace: 'imagestore' }, () => ({
      contents: `module.exports = () => require('node:path').join(__dirname, 'swagger-ui');`,
      loader: 'js',
    }));
  },
};

/** Node's lookup (nearest node_modules upwards), without tripping over packages whose `exports` hide package.json. */
function packageDir(name, from = root) {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) return undefined;
  }
}

function copyPackage(name, outDir, from = root) {
  const source = packageDir(name, from);
  if (!source) throw new Error(`${name} is not installed`);
  const target = join(outDir, 'node_modules', name);
  cpSync(source, target, {
    recursive: true,
    filter: (path) => !/\.(md|d\.ts|map)$/.test(path) && !path.includes(`${name}/src`) && !path.endsWith('/install'),
  });
  return source;
}

/** sharp, its small JS dependencies, and exactly one platform's native packages. */
function installSharp(outDir, arch) {
  const sharpDir = copyPackage('sharp', outDir);
  const sharpJson = readJson(join(sharpDir, 'package.json'));
  for (const dependency of Object.keys(sharpJson.dependencies ?? {})) copyPackage(dependency, outDir, sharpDir);
  const natives = [`@img/sharp-linux-${arch}`, `@img/sharp-libvips-linux-${arch}`];
  const missing = natives.filter((name) => !packageDir(name, sharpDir));
  for (const name of natives.filter((n) => !missing.includes(n))) copyPackage(name, outDir, sharpDir);
  if (missing.length > 0) {
    const specs = missing.map((name) => `${name}@${sharpJson.optionalDependencies[name]}`);
    execFileSync(
      'npm',
      ['install', '--no-save', '--no-package-lock', '--os=linux', `--cpu=${arch}`, '--libc=glibc', ...specs],
      { cwd: outDir, stdio: 'inherit' },
    );
  }
  return sharpJson.version;
}

/**
 * @param {{ outDir?: string, arch?: 'x64' | 'arm64', minify?: boolean, metafile?: boolean }} [options]
 */
export async function buildLambda(options = {}) {
  const outDir = options.outDir ?? DEFAULT_OUT_DIR;
  const arch = options.arch ?? process.env.LAMBDA_ARCH ?? (process.arch === 'arm64' ? 'arm64' : 'x64');
  if (!['x64', 'arm64'].includes(arch)) throw new Error(`LAMBDA_ARCH must be x64 or arm64, not ${arch}`);
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });

  const result = await build({
    absWorkingDir: root,
    entryPoints: [join(root, 'api/lambda.ts')],
    outfile: join(outDir, HANDLER_FILE),
    bundle: true,
    platform: 'node',
    target: 'node24',
    format: 'cjs',
    minify: options.minify ?? true,
    keepNames: true, // Nest resolves providers and reports errors by class name
    sourcemap: 'linked',
    sourcesContent: false,
    legalComments: 'linked',
    metafile: true,
    logLevel: 'warning',
    // ESM-only packages read import.meta.url; in a CommonJS bundle it is this file's URL.
    banner: { js: `const __bundleUrl = require('node:url').pathToFileURL(__filename).href;` },
    define: { 'import.meta.url': '__bundleUrl' },
    external: OPTIONAL_EXTERNALS, // sharp: see lazySharpPlugin
    plugins: [decoratorMetadataPlugin, plainRequirePlugin, lazySharpPlugin, lazyPhoneNumbersPlugin],
  });

  const swaggerDir = packageDir('swagger-ui-dist');
  mkdirSync(join(outDir, 'swagger-ui'));
  for (const file of SWAGGER_UI_FILES) cpSync(join(swaggerDir, file), join(outDir, 'swagger-ui', file));

  const sharpVersion = installSharp(outDir, arch);
  const rootJson = readJson(join(root, 'package.json'));
  writeFileSync(
    join(outDir, 'package.json'),
    `${JSON.stringify(
      {
        name: `${rootJson.name}-lambda`,
        version: rootJson.version,
        private: true,
        description: 'Built by scripts/build-lambda.mjs; do not edit.',
        main: HANDLER_FILE,
        engines: rootJson.engines,
        os: ['linux'],
        cpu: [arch],
        dependencies: { sharp: sharpVersion },
      },
      null,
      2,
    )}\n`,
  );
  if (options.metafile) return { outDir, metafile: result.metafile };
  return { outDir };
}

function newestMtime(path) {
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((entry) => newestMtime(join(path, entry))));
}

/** True when dist-lambda/ is missing or older than any source, the lockfile or this script. */
export function isLambdaBuildStale(outDir = DEFAULT_OUT_DIR) {
  const artifact = join(outDir, HANDLER_FILE);
  if (!existsSync(artifact) || !existsSync(join(outDir, 'node_modules', 'sharp'))) return true;
  const inputs = [join(root, 'api'), join(root, 'package-lock.json'), fileURLToPath(import.meta.url)];
  return Math.max(...inputs.filter(existsSync).map(newestMtime)) > statSync(artifact).mtimeMs;
}

/** Builds only when stale; returns the handler file's path. */
export async function ensureLambdaBuilt(outDir = DEFAULT_OUT_DIR) {
  if (isLambdaBuildStale(outDir)) {
    process.stderr.write('dist-lambda/ is missing or stale: building it (npm run build:lambda)\n');
    await buildLambda({ outDir });
  }
  return join(outDir, HANDLER_FILE);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const started = Date.now();
  const { outDir } = await buildLambda();
  const size = execFileSync('du', ['-sh', outDir], { encoding: 'utf8' }).split('\t')[0];
  console.log(
    `built ${relative(process.cwd(), join(outDir, HANDLER_FILE))} (${size} with node_modules) in ${Date.now() - started} ms`,
  );
  if (!existsSync(join(outDir, 'node_modules', 'sharp'))) process.exitCode = 1;
}
