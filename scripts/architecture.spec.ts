import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { ESLint } from 'eslint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import apiBoundaries from '../eslint.boundaries.mjs';

/**
 * The dependency rule of api/ (docs/architecture.md) is enforced by lint: a forbidden import fails `npm run
 * lint`. Proven on a throwaway tree with the same folders, linted with the project's own boundary config.
 */
describe('the api/ dependency rule', () => {
  let root: string;
  let eslint: ESLint;

  const files: Record<string, string> = {
    'api/config/app-config.ts': 'export const config = 1;\n',
    'api/platform/patch.ts': 'export const patch = 1;\n',
    'api/common/app-error.ts': "import { config } from '../config/app-config';\nexport const appError = config;\n",
    'api/images/images.service.ts':
      "import { appError } from '../common/app-error';\nexport const images = appError;\n",
    'api/observability/tracing.ts':
      "import { images } from '../images/images.service';\nexport const tracing = images;\n",
    'api/app.factory.ts': "import { tracing } from './observability/tracing';\nexport const app = tracing;\n",
    'api/lambda/handler.ts': "import { app } from '../app.factory';\nexport const handler = app;\n",
    'api/dev/gateway.ts': "import { handler } from '../lambda/handler';\nexport const gateway = handler;\n",
  };

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'imagestore-architecture-'));
    for (const [path, code] of Object.entries(files)) {
      await mkdir(dirname(join(root, path)), { recursive: true });
      await writeFile(join(root, path), code);
    }
    eslint = new ESLint({ cwd: root, overrideConfigFile: true, overrideConfig: apiBoundaries(root) });
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  const violations = async (path: string, code: string) => {
    await writeFile(join(root, path), code);
    const [result] = await eslint.lintFiles([path]);
    return result.messages.map((message) => message.message);
  };

  it('accepts the tree as it is: every import goes down the layers', async () => {
    const results = await eslint.lintFiles(Object.keys(files));
    expect(results.flatMap((result) => result.messages)).toEqual([]);
  });

  it.each([
    ['common/ importing images/', 'api/common/probe.ts', '../images/images.service', 'images'],
    ['images/ importing observability/', 'api/images/probe.ts', '../observability/tracing', 'observability'],
    ['config/ importing common/', 'api/config/probe.ts', '../common/app-error', 'common'],
    ['images/ importing the composition root', 'api/images/probe2.ts', '../app.factory', ''],
    ['the Lambda function importing dev tools', 'api/lambda/probe.ts', '../dev/gateway', 'dev'],
  ])('refuses %s', async (_name, path, target, targetPart) => {
    const messages = await violations(path, `import * as probe from '${target}';\nexport const x = probe;\n`);
    expect(messages).toEqual([expect.stringContaining(`may not import api/${targetPart}`)]);
  });
});
