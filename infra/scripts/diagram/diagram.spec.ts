import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import cdkJson from '../../cdk.json';
import { buildArchitectureModel } from './architecture-model';
import { DRAWIO_PATH, renderDiagrams, SVG_PATH } from './generate-diagram';

const STALE = 'docs/architecture.* no longer match the app: run `npm run diagram` in infra/ and commit the result';

describe('architecture diagram', () => {
  const rendered = renderDiagrams();

  it('committed docs/architecture.drawio matches the synthesized app', () => {
    expect(readFileSync(DRAWIO_PATH, 'utf8') === rendered.drawio, STALE).toBe(true);
  });

  it('committed docs/architecture.svg matches the synthesized app', () => {
    expect(readFileSync(SVG_PATH, 'utf8') === rendered.svg, STALE).toBe(true);
  });

  it('shows every construct and the main relations', () => {
    const model = buildArchitectureModel(
      new App({ context: { ...cdkJson.context, 'aws:cdk:enable-path-metadata': true } }),
    );
    expect(model.nodes.map((n) => n.id)).toEqual(
      expect.arrayContaining([
        'Identity/GithubDeployAccess',
        'prod/Registry/FunctionImageRepository',
        'prod/Service/ImageBucket',
        'prod/Service/ApiFunction',
        'prod/Service/ImageApi',
        'prod/Service/ApiFirewall',
        'prod/Service/LogArchive',
        'prod/Service/Monitoring',
      ]),
    );
    expect(model.edges).toEqual(
      expect.arrayContaining([
        { from: 'prod/Service/ImageApi', to: 'prod/Service/ApiFunction' },
        { from: 'prod/Service/ApiFunction', to: 'prod/Service/ImageBucket' },
        { from: 'prod/Service/ApiFunction', to: 'prod/Registry/FunctionImageRepository' },
        { from: 'Identity/GithubDeployAccess', to: 'prod/Registry/FunctionImageRepository' },
        { from: 'prod/Service/ApiFirewall', to: 'prod/Service/ImageApi' },
        { from: 'prod/Service/LogArchive', to: 'prod/Service/LogsBucket' },
        { from: 'prod/Service/Monitoring', to: 'prod/Service/ImageApi' },
      ]),
    );
  });

  it('is a drawio file diagrams.net can open', () => {
    expect(rendered.drawio).toMatch(/^<mxfile [^>]*>\n\s*<diagram [^>]*>\n\s*<mxGraphModel /);
    expect(rendered.drawio.match(/<mxCell /g)?.length).toBeGreaterThan(20);
  });
});
