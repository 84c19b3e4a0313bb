import type { Node } from 'constructs';
import type { AppConfig } from './app-config';
import { IMAGESTORE_CONFIG } from './stages';
import { validateAppConfig } from './validate-config';

/** Context keys accepted on the command line (`cdk synth -c imageTag=abc123`). */
export const CONTEXT_KEYS = {
  imageTag: 'imageTag',
  alarmEmail: 'alarmEmail',
  githubOwner: 'githubOwner',
  githubRepo: 'githubRepo',
} as const;

/**
 * Used when no `imageTag` is given, so `cdk synth`, tests and the diagram work without an image. The name says
 * what it is: deploying it fails because no such tag is ever pushed (the ECR repository rejects nothing, but
 * Lambda cannot find the image), and CI always passes the commit SHA.
 */
export const SYNTH_ONLY_IMAGE_TAG = 'synth-only-no-image';

function optionalString(node: Node, key: string): string | undefined {
  const value: unknown = node.tryGetContext(key);
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') {
    throw new Error(`context "${key}" must be a string, got ${JSON.stringify(value)}`);
  }
  return value;
}

/** The stage config from `stages.ts` with context overrides applied, validated. */
export function loadAppConfig(node: Node, base: AppConfig = IMAGESTORE_CONFIG): AppConfig {
  const alarmEmail = optionalString(node, CONTEXT_KEYS.alarmEmail);
  const config: AppConfig = {
    ...base,
    github: {
      owner: optionalString(node, CONTEXT_KEYS.githubOwner) ?? base.github.owner,
      repo: optionalString(node, CONTEXT_KEYS.githubRepo) ?? base.github.repo,
    },
    stages: {
      dev: withAlarmEmail(base.stages.dev, alarmEmail),
      prod: withAlarmEmail(base.stages.prod, alarmEmail),
    },
  };
  validateAppConfig(config);
  return config;
}

function withAlarmEmail<T extends { readonly alarms: { readonly email?: string } }>(stage: T, email?: string): T {
  return email === undefined ? stage : { ...stage, alarms: { ...stage.alarms, email } };
}

/** The image tag to deploy; the placeholder when none is given (synth, tests, diagram). */
export function loadImageTag(node: Node): string {
  return optionalString(node, CONTEXT_KEYS.imageTag) ?? SYNTH_ONLY_IMAGE_TAG;
}
