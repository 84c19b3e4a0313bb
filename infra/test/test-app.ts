import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import cdkJson from '../cdk.json';
import { buildImagestoreApp, type ImagestoreApp } from '../lib/imagestore-app';

/** The tag tests deploy; a commit SHA like CI passes. */
export const TEST_IMAGE_TAG = '0123456789abcdef0123456789abcdef01234567';

/** A new App with the same feature flags as `cdk synth` (from cdk.json), plus the given context. */
export function newApp(context: Record<string, unknown> = {}): App {
  return new App({ context: { ...cdkJson.context, ...context } });
}

/** The whole app as `cdk synth -c imageTag=<TEST_IMAGE_TAG>` builds it. */
export function buildTestApp(context: Record<string, unknown> = {}): { app: App } & ImagestoreApp {
  const app = newApp({ imageTag: TEST_IMAGE_TAG, ...context });
  return { app, ...buildImagestoreApp(app) };
}

/** A bare stack for testing one construct on its own. */
export function newTestStack(): Stack {
  return new Stack(newApp(), 'TestStack');
}

export function templateOf(stack: Stack): Template {
  return Template.fromStack(stack);
}
