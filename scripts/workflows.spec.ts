// The workflows cannot run here, so this checks what can be checked offline: every npm script they call exists
// in the package.json it runs against, and the hygiene rules of .github/ hold (pins, permissions, credentials).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { REGISTRY_OUTPUTS, SERVICE_OUTPUTS, STAGE_STACK_IDS } from '../infra/lib/config/deploy-contract';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const workflowsDir = path.join(root, '.github', 'workflows');

interface Step {
  name?: string;
  id?: string;
  if?: string;
  env?: Record<string, string>;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  'working-directory'?: string;
}
interface Job {
  permissions?: unknown;
  uses?: string;
  steps?: Step[];
  defaults?: { run?: { 'working-directory'?: string } };
}
interface Workflow {
  on: Record<string, unknown> | string | string[];
  env?: Record<string, string>;
  permissions?: unknown;
  concurrency?: unknown;
  defaults?: { run?: { 'working-directory'?: string } };
  jobs: Record<string, Job>;
}

const workflowFiles = readdirSync(workflowsDir)
  .filter((name) => /\.ya?ml$/.test(name))
  .sort();
const workflows = workflowFiles.map((file) => {
  const text = readFileSync(path.join(workflowsDir, file), 'utf8');
  return { file, text, doc: parse(text) as Workflow };
});

interface NpmCall {
  readonly where: string;
  readonly directory: string;
  readonly script: string;
  readonly command: string;
}

/** Splits a shell line into words, keeping quoted strings whole (enough for the commands we write). */
const words = (line: string): string[] =>
  [...line.matchAll(/"[^"]*"|'[^']*'|\S+/g)].map((match) => match[0].replace(/^["']|["']$/g, ''));

/** Finds `npm run X`, `npm test`, `npm start` (with optional --prefix DIR) in a run block. */
function npmScriptCalls(run: string, directory: string, where: string): NpmCall[] {
  const calls: NpmCall[] = [];
  const commands = run
    .replace(/\\\n/g, ' ')
    .split(/\n|&&|\|\||;|\|/)
    .map((part) => part.trim());
  for (const command of commands) {
    const tokens = words(command);
    const npmAt = tokens.findIndex(
      (token, index) => token === 'npm' && (index === 0 || /^[A-Za-z_][A-Za-z0-9_]*=/.test(tokens[index - 1] ?? '')),
    );
    if (npmAt < 0) continue;
    let dir = directory;
    let script: string | undefined;
    const rest = tokens.slice(npmAt + 1);
    for (let i = 0; i < rest.length; i++) {
      const token = rest[i]!;
      if (token === '--prefix' || token === '-C') {
        dir = path.join(directory, rest[++i] ?? '');
      } else if (token.startsWith('--prefix=')) {
        dir = path.join(directory, token.slice('--prefix='.length));
      } else if (script === undefined && (token === 'test' || token === 't' || token === 'start')) {
        script = token === 't' ? 'test' : token;
      } else if (script === undefined && (token === 'run' || token === 'run-script')) {
        const name = rest.slice(i + 1).find((candidate) => !candidate.startsWith('-'));
        if (name) script = name;
        i = rest.indexOf(name ?? '', i + 1);
      } else if (token === '--') {
        break;
      }
    }
    if (script) calls.push({ where, directory: dir, script, command });
  }
  return calls;
}

/**
 * The directory a run step works in, relative to the repository. A second checkout into a sub-folder (the
 * rollback checks out the previous release into `previous/`) maps back to the repository layout.
 */
const stepDirectory = (workflow: Workflow, job: Job, step: Step): string => {
  const directory =
    step['working-directory'] ??
    job.defaults?.run?.['working-directory'] ??
    workflow.defaults?.run?.['working-directory'] ??
    '.';
  const checkoutPaths = (job.steps ?? [])
    .filter((other) => other.uses?.startsWith('actions/checkout@') && typeof other.with?.path === 'string')
    .map((other) => String(other.with!.path).replace(/\/$/, ''));
  const inCheckout = checkoutPaths.find((prefix) => directory === prefix || directory.startsWith(`${prefix}/`));
  return inCheckout ? path.normalize(directory.slice(inCheckout.length + 1) || '.') : directory;
};

const allSteps = workflows.flatMap(({ file, doc }) =>
  Object.entries(doc.jobs).flatMap(([jobId, job]) =>
    (job.steps ?? []).map((step, index) => ({
      file,
      doc,
      jobId,
      job,
      step,
      where: `${file} › ${jobId} › ${step.name ?? step.uses ?? step.run?.split('\n')[0] ?? `step ${index + 1}`}`,
    })),
  ),
);

const scriptsOf = (directory: string): Record<string, string> => {
  const manifest = path.join(root, directory, 'package.json');
  if (!existsSync(manifest)) return {};
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { scripts?: Record<string, string> }).scripts ?? {};
};

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const grantsOf = (job: Job): string[] =>
  isPlainObject(job.permissions) ? Object.entries(job.permissions).map(([scope, level]) => `${scope}: ${level}`) : [];

const usesAction = (job: Job, action: string) => (job.steps ?? []).some((step) => step.uses?.startsWith(`${action}@`));

/** The steps that need each grant; a grant not listed here is more than any job needs. */
const GRANT_NEEDED_BY: Record<string, (job: Job) => boolean> = {
  'contents: read': () => true,
  'id-token: write': (job) => usesAction(job, 'aws-actions/configure-aws-credentials'),
  'security-events: write': (job) => usesAction(job, 'github/codeql-action/upload-sarif'),
};

/** A job calling a reusable workflow needs a grant when one of the called jobs does (GitHub caps theirs by it). */
function needsGrant(job: Job, grant: string): boolean {
  const called = workflows.find(({ file }) => job.uses === `./.github/workflows/${file}`);
  if (called) {
    return Object.values(called.doc.jobs).some((inner) => grantsOf(inner).includes(grant) && needsGrant(inner, grant));
  }
  return GRANT_NEEDED_BY[grant]?.(job) ?? false;
}

describe('npmScriptCalls', () => {
  it('reads run, test, prefix and working directories', () => {
    const calls = npmScriptCalls(
      'npm ci\nnpm run lint && npm test\nnpm --prefix infra run synth -- -c a=b\nE2E_TARGET=lambda npm run -s test:e2e',
      '.',
      'x',
    );
    expect(calls.map(({ directory, script }) => [directory, script])).toEqual([
      ['.', 'lint'],
      ['.', 'test'],
      ['infra', 'synth'],
      ['.', 'test:e2e'],
    ]);
    expect(
      npmScriptCalls('npm run synth -- --context "imageTag=$V"', 'infra', 'x').map((call) => [
        call.directory,
        call.script,
      ]),
    ).toEqual([['infra', 'synth']]);
  });
});

describe('.github/workflows', () => {
  it('has the workflows', () => {
    expect(workflowFiles).toEqual(expect.arrayContaining(['ci.yml', 'deploy.yml']));
  });

  const calls = allSteps.flatMap(({ doc, job, step, where }) =>
    step.run ? npmScriptCalls(step.run, stepDirectory(doc, job, step), where) : [],
  );

  it('calls npm scripts', () => {
    expect(calls.length).toBeGreaterThan(5);
  });

  it.each(calls.map((call) => [`${call.directory}: npm run ${call.script}`, call] as const))(
    'every npm script a workflow calls exists (%s)',
    (_label, call) => {
      expect(Object.keys(scriptsOf(call.directory)), `${call.where}: "${call.command}"`).toContain(call.script);
    },
  );

  it('runs npm ci only where a lockfile is', () => {
    for (const { doc, job, step, where } of allSteps) {
      if (!step.run || !/(^|\s)npm ci(\s|$)/m.test(step.run)) continue;
      expect(existsSync(path.join(root, stepDirectory(doc, job, step), 'package-lock.json')), where).toBe(true);
    }
  });

  it('runs the cdk CLI only from infra/, where aws-cdk is a dependency', () => {
    const infra = JSON.parse(readFileSync(path.join(root, 'infra', 'package.json'), 'utf8')) as {
      devDependencies?: Record<string, string>;
    };
    for (const { doc, job, step, where } of allSteps) {
      if (!step.run || !/npx cdk /.test(step.run)) continue;
      expect(stepDirectory(doc, job, step), where).toMatch(/(^|\/)infra$/);
    }
    expect(infra.devDependencies).toHaveProperty('aws-cdk');
  });

  it.each(workflows.map((workflow) => [workflow.file, workflow] as const))(
    '%s grants nothing at the top, and each job only what its steps need',
    (_file, { doc }) => {
      expect(doc.permissions).toEqual({});
      for (const [jobId, job] of Object.entries(doc.jobs)) {
        expect(isPlainObject(job.permissions), `job ${jobId}: permissions is a map`).toBe(true);
        for (const grant of grantsOf(job)) expect(needsGrant(job, grant), `job ${jobId}: ${grant}`).toBe(true);
      }
    },
  );

  it.each(workflows.map((workflow) => [workflow.file, workflow] as const))(
    '%s pins every action by commit SHA with a version comment',
    (_file, { text }) => {
      const uses = [...text.matchAll(/^\s*(?:-\s*)?uses:\s*(\S+)(.*)$/gm)];
      for (const [line, ref, rest] of uses) {
        if (ref!.startsWith('./')) continue;
        expect(ref, line).toMatch(/^[\w.-]+\/[\w./-]+@[0-9a-f]{40}$/);
        expect(rest, line).toMatch(/^\s+# v\d+(\.\d+){0,2}\s*$/);
      }
    },
  );

  it('checks out without persisting credentials', () => {
    const checkouts = allSteps.filter(({ step }) => step.uses?.startsWith('actions/checkout@'));
    expect(checkouts.length).toBeGreaterThan(0);
    for (const { step, where } of checkouts) expect(step.with?.['persist-credentials'], where).toBe(false);
  });

  it('sets a concurrency group on every triggered (not only called) workflow', () => {
    for (const { file, doc } of workflows) {
      const triggers = typeof doc.on === 'string' ? [doc.on] : Array.isArray(doc.on) ? doc.on : Object.keys(doc.on);
      if (triggers.every((trigger) => trigger === 'workflow_call')) continue;
      expect(doc.concurrency, file).toBeDefined();
    }
  });

  it('deploys only through OIDC, bound to an environment', () => {
    const awsSteps = allSteps.filter(({ step }) => step.uses?.startsWith('aws-actions/configure-aws-credentials@'));
    expect(awsSteps.length).toBeGreaterThan(0);
    for (const { job, step, where } of awsSteps) {
      expect(step.with, where).toHaveProperty('role-to-assume');
      expect(step.with, where).not.toHaveProperty('aws-access-key-id');
      expect(job.permissions, where).toMatchObject({ 'id-token': 'write' });
      expect((job as { environment?: unknown }).environment, where).toBeDefined();
    }
  });
});

describe('deploy-stage.yml against the infra contract (infra/lib/config/deploy-contract.ts)', () => {
  const deployStage = workflows.find(({ file }) => file === 'deploy-stage.yml')!;
  const env = deployStage.doc.env ?? {};
  const steps = deployStage.doc.jobs.deploy?.steps ?? [];
  // Shell continuation lines joined, so one command is one line.
  const runs = steps
    .map((step) => step.run ?? '')
    .join('\n')
    .replace(/\\\n\s*/g, ' ');
  const deployWorkflowsText = workflows
    .filter(({ file }) => file.startsWith('deploy'))
    .map(({ text }) => text)
    .join('\n');

  it('selects the stacks by their construct path in the stage, as `cdk ls` lists them', () => {
    expect(env.REGISTRY_STACK).toBe(`\${{ inputs.stage }}/${STAGE_STACK_IDS.registry}`);
    expect(env.SERVICE_STACK).toBe(`\${{ inputs.stage }}/${STAGE_STACK_IDS.service}`);
    expect(env.EDGE_STACK).toBe(`\${{ inputs.stage }}/${STAGE_STACK_IDS.edge}`);
    const deploys = [...runs.matchAll(/npx cdk deploy [^\n]*/g)].map(([line]) => line);
    expect(deploys.length).toBeGreaterThanOrEqual(3);
    for (const line of deploys) {
      expect(line).toMatch(/--exclusively "\$(REGISTRY_STACK|EDGE_STACK|SERVICE_STACK)"/);
    }
  });

  it('reads stack outputs by their exact logical id, and only outputs the stacks have', () => {
    // An exact key lookup, no pattern: outputs are stack-level, so their logical ids carry no hash.
    expect(env.JQ_STACK_OUTPUT).toContain('[$name]');
    expect(env.JQ_STACK_OUTPUT).not.toMatch(/test\(|match\(|capture\(|startswith|endswith|contains\(/);
    const read = new Set(
      [...runs.matchAll(/--arg name (\w+) "\$JQ_STACK_OUTPUT"\s+([\w.-]+)/g)].map(
        ([, name, file]) => `${file}:${name}`,
      ),
    );
    expect([...read].sort()).toEqual(
      [
        `registry-outputs.json:${REGISTRY_OUTPUTS.ecrRepositoryUri}`,
        `service-outputs.json:${SERVICE_OUTPUTS.apiUrl}`,
        `service-outputs.json:${SERVICE_OUTPUTS.apiKeyId}`,
      ].sort(),
    );
    // Where those files come from: the deploys of the matching stack.
    expect(runs).toMatch(/--exclusively "\$REGISTRY_STACK" [^\n]*--outputs-file \.\.\/registry-outputs\.json/);
    expect(runs).toMatch(/--exclusively "\$SERVICE_STACK" [^\n]*--outputs-file \.\.\/service-outputs\.json/);
  });

  it('runs e2e against the stage URL with the API key masked before the suite starts', () => {
    const e2e = steps.find((step) => step.id === 'e2e')!;
    expect(e2e.env?.E2E_BASE_URL).toBe('${{ steps.stack.outputs.api-url }}');
    const script = e2e.run ?? '';
    const mask = script.indexOf('::add-mask::$E2E_API_KEY');
    expect(mask).toBeGreaterThan(script.indexOf('E2E_API_KEY=$(aws apigateway get-api-key'));
    expect(mask).toBeLessThan(script.indexOf('export E2E_API_KEY'));
    expect(script.indexOf('export E2E_API_KEY')).toBeLessThan(script.indexOf('npm run test:e2e'));
  });

  it('rolls back only after a failed e2e, by synthesizing the previous tag with its own image tag', () => {
    const previous = steps.find((step) => step.id === 'previous')!;
    expect(previous.if).toBe("failure() && steps.e2e.outcome == 'failure'");
    const redeploy = steps.find((step) => step.name?.startsWith('Redeploy'))!;
    expect(redeploy['working-directory']).toBe('previous/infra');
    expect(redeploy.run).toContain('--context "imageTag=$PREVIOUS_TAG"');
    expect(redeploy.run).toMatch(/npx cdk deploy --app cdk\.out --exclusively "\$SERVICE_STACK"/);
  });

  it('reads only the GitHub variables docs/deploy.md tells the administrator to set', () => {
    const docs = readFileSync(path.join(root, 'docs', 'deploy.md'), 'utf8');
    const variables = new Set([...deployWorkflowsText.matchAll(/\bvars\.(\w+)/g)].map(([, name]) => name!));
    expect([...variables].sort()).toEqual(['AWS_DEPLOY_ROLE_ARN', 'AWS_REGION']);
    for (const name of variables) expect(docs, name).toContain(`\`${name}\``);
    // The identity stack's outputs the role ARN comes from.
    expect(docs).toContain('DeployRoleArndev');
    expect(docs).toContain('DeployRoleArnprod');
  });
});
