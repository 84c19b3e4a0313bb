import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { normalizeTemplate } from './normalize-template';
import { buildTestApp } from './test-app';

describe('snapshot', () => {
  it('matches the committed templates of the identity stack and the prod stage, edge stack included (asset hashes normalised)', () => {
    const built = buildTestApp();
    const templates = {
      identity: Template.fromStack(built.identity).toJSON(),
      prodRegistry: Template.fromStack(built.stages.prod.registry).toJSON(),
      prodService: Template.fromStack(built.stages.prod.service).toJSON(),
      prodEdge: Template.fromStack(built.stages.prod.edge!).toJSON(),
    };
    const normalized = normalizeTemplate(templates);
    expect(JSON.stringify(normalized)).not.toMatch(/[a-f0-9]{64}/);
    expect(normalized).toMatchSnapshot();
  });
});
