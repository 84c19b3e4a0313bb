import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { normalizeTemplate } from './normalize-template';
import { buildTestApp, TEST_IMAGE_TAG } from './test-app';

describe('snapshot', () => {
  const built = buildTestApp();

  it('matches the committed templates of the identity stack and the prod stage, edge stack included (asset hashes normalised)', () => {
    const templates = {
      identity: Template.fromStack(built.identity).toJSON(),
      prodRegistry: Template.fromStack(built.stages.prod.registry).toJSON(),
      prodService: Template.fromStack(built.stages.prod.service).toJSON(),
      prodEdge: Template.fromStack(built.stages.prod.edge!).toJSON(),
    };
    expect(normalizeTemplate(templates)).toMatchSnapshot();
  });

  it('normalises asset hashes and image digests, and nothing else', () => {
    // The dev stage empties its buckets on removal: a custom-resource handler shipped as a hash-named zip.
    const devService = Template.fromStack(built.stages.dev.service).toJSON();
    const assetKeys = JSON.stringify(devService).match(/[a-f0-9]{64}\.zip/g) ?? [];
    expect(assetKeys).not.toHaveLength(0);
    const normalized = JSON.stringify(normalizeTemplate(devService));
    expect(normalized.match(/[a-f0-9]{64}/g)).toBeNull();
    expect(normalized).toContain('"<asset-hash>.zip"');
    // A commit SHA is 40 hex digits: the deployed tag is what a snapshot must show, not a hash to hide.
    expect(normalized.match(/\/imagestore-dev:[^"]+/g)).toEqual([`/imagestore-dev:${TEST_IMAGE_TAG}`]);

    const imageUri = `123456789012.dkr.ecr.eu-west-1.amazonaws.com/imagestore@sha256:${'ab'.repeat(32)}`;
    expect(normalizeTemplate({ ImageUri: imageUri })).toEqual({
      ImageUri: '123456789012.dkr.ecr.eu-west-1.amazonaws.com/imagestore@sha256:<image-digest>',
    });
  });
});
