import { readFileSync } from 'node:fs';
import { App } from 'aws-cdk-lib';
import { describe, expect, it } from 'vitest';
import cdkJson from '../../cdk.json';
import { buildArchitectureModel } from './architecture-model';
import { DRAWIO_PATH, renderDiagrams, SVG_PATH } from './generate-diagram';
import { layoutModel, NODE_HEIGHT, NODE_WIDTH, overlaps, segmentCrossesBox } from './render';

const STALE = 'docs/architecture.* no longer match the app: run `npm run diagram` in infra/ and commit the result';

describe('architecture diagram', () => {
  const rendered = renderDiagrams();

  it('committed docs/architecture.drawio matches the synthesized app', () => {
    expect(readFileSync(DRAWIO_PATH, 'utf8') === rendered.drawio, STALE).toBe(true);
  });

  it('committed docs/architecture.svg matches the synthesized app', () => {
    expect(readFileSync(SVG_PATH, 'utf8') === rendered.svg, STALE).toBe(true);
  });

  const model = buildArchitectureModel(
    new App({ context: { ...cdkJson.context, 'aws:cdk:enable-path-metadata': true } }),
  );

  it('shows every construct and the main relations', () => {
    const cdn = model.nodes.find((n) => n.id === 'prod/Service/ImageCdn');
    expect(cdn?.resources).toEqual(
      expect.arrayContaining(['CloudFront distribution', 'origin access control', 'key group (signed URLs)']),
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
        'prod/Service/ImageCdn',
        'prod/Edge/CdnFirewall',
      ]),
    );
    const relations: [string, string, string][] = [
      ['external/Clients', 'prod/Service/ApiFirewall', 'HTTPS + x-api-key'],
      ['prod/Service/ApiFirewall', 'prod/Service/ImageApi', 'allowed requests'],
      ['prod/Service/ImageApi', 'prod/Service/ApiFunction', 'proxy'],
      ['prod/Service/ApiFunction', 'prod/Service/ImageBucket', 'GetObject/PutObject'],
      ['prod/Service/ApiFunction', 'prod/Registry/FunctionImageRepository', 'pull image'],
      ['Identity/GithubDeployAccess', 'prod/Registry/FunctionImageRepository', 'push image'],
      ['prod/Service/LogArchive', 'prod/Service/LogsBucket', 'archive logs'],
      ['prod/Service/LogArchive', 'prod/Service/ApiFunction', 'subscription filter'],
      ['prod/Service/ImageBucket', 'prod/Service/LogsBucket', 'access logs'],
      ['prod/Service/Monitoring', 'prod/Service/ImageApi', 'metrics'],
      ['prod/Service/ApiFunction', 'aws/XRay', 'traces'],
      ['external/Browsers', 'prod/Service/ImageCdn', 'signed URL'],
      ['prod/Service/ImageCdn', 'prod/Service/ImageBucket', 'GetObject (OAC)'],
      ['prod/Service/ImageCdn', 'prod/Service/ApiFunction', 'variant fallback (OAC)'],
      ['prod/Service/ApiFunction', 'prod/Service/ImageCdn', 'purge on delete'],
      ['prod/Service/ImageCdn', 'prod/Service/LogsBucket', 'access logs'],
      ['prod/Service/ImageCdn', 'prod/Service/CdnWebAclArn', 'web ACL'],
      ['prod/Service/CdnWebAclArn', 'prod/Edge/CdnWebAclArn', 'reads (us-east-1)'],
      ['prod/Edge/CdnWebAclArn', 'prod/Edge/CdnFirewall', 'ARN'],
      ['prod/Service/Monitoring', 'prod/Service/ImageCdn', 'metrics'],
    ];
    expect(model.edges).toEqual(
      expect.arrayContaining(relations.map(([from, to, label]) => expect.objectContaining({ from, to, label }))),
    );
    expect(model.edges.filter((e) => e.label === 'uses')).toEqual([]);
  });

  describe('layout', () => {
    const layout = layoutModel(model);
    const boxes = layout.nodes.map((n) => ({ id: n.id, x: n.x, y: n.y, width: NODE_WIDTH, height: NODE_HEIGHT }));

    it('places every node, and no two boxes overlap', () => {
      expect(layout.nodes.map((n) => n.id).sort()).toEqual(model.nodes.map((n) => n.id).sort());
      for (const [i, a] of boxes.entries()) {
        for (const b of boxes.slice(i + 1)) expect(overlaps(a, b), `${a.id} overlaps ${b.id}`).toBe(false);
      }
    });

    it('routes every edge orthogonally, from its source box to its target box, through no box', () => {
      expect(layout.edges).toHaveLength(model.edges.length);
      for (const edge of layout.edges) {
        const name = `${edge.source} -> ${edge.target}`;
        for (const [a, b] of edge.points.slice(1).map((p, i) => [edge.points[i], p] as const)) {
          expect(a[0] === b[0] || a[1] === b[1], `${name} has a diagonal segment`).toBe(true);
          for (const box of boxes) expect(segmentCrossesBox(a, b, box), `${name} crosses ${box.id}`).toBe(false);
        }
        const onBorder = (p: readonly [number, number], id: string) => {
          const box = boxes.find((b) => b.id === id)!;
          const inside = p[0] >= box.x && p[0] <= box.x + box.width && p[1] >= box.y && p[1] <= box.y + box.height;
          const edgeOf = p[0] === box.x || p[0] === box.x + box.width || p[1] === box.y || p[1] === box.y + box.height;
          return inside && edgeOf;
        };
        expect(onBorder(edge.points[0], edge.source), `${name} starts off its source`).toBe(true);
        expect(onBorder(edge.points.at(-1)!, edge.target), `${name} ends off its target`).toBe(true);
      }
    });

    it('keeps edge labels off the boxes and off each other', () => {
      for (const [i, edge] of layout.edges.entries()) {
        for (const box of boxes) expect(overlaps(edge.labelBox, box), `"${edge.label}" on ${box.id}`).toBe(false);
        for (const other of layout.edges.slice(i + 1))
          expect(overlaps(edge.labelBox, other.labelBox), `"${edge.label}" on "${other.label}"`).toBe(false);
      }
    });

    it('draws one panel per stack around exactly its own boxes', () => {
      expect(layout.panels.map((p) => p.stack).sort()).toEqual([...new Set(model.nodes.map((n) => n.stack))].sort());
      for (const [i, panel] of layout.panels.entries()) {
        for (const other of layout.panels.slice(i + 1))
          expect(overlaps(panel, other), `${panel.stack} panel overlaps ${other.stack}`).toBe(false);
        for (const node of layout.nodes) {
          const box = { x: node.x, y: node.y, width: NODE_WIDTH, height: NODE_HEIGHT };
          expect(overlaps(panel, box), `${node.id} vs ${panel.stack} panel`).toBe(node.stack === panel.stack);
        }
      }
    });

    it('is deterministic', () => {
      expect(renderDiagrams()).toEqual(rendered);
    });
  });

  it('is a drawio file diagrams.net can open', () => {
    expect(rendered.drawio).toMatch(/^<mxfile [^>]*>\n\s*<diagram [^>]*>\n\s*<mxGraphModel /);
    expect(rendered.drawio.match(/<mxCell /g)?.length).toBeGreaterThan(20);
  });
});
