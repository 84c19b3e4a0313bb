import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { App } from 'aws-cdk-lib';
import cdkJson from '../../cdk.json';
import { buildArchitectureModel } from './architecture-model';
import { layoutModel, toDrawio, toSvg } from './render';

export const DOCS_DIR = join(__dirname, '..', '..', '..', 'docs');
export const DRAWIO_PATH = join(DOCS_DIR, 'architecture.drawio');
export const SVG_PATH = join(DOCS_DIR, 'architecture.svg');

/** Both diagram files as they should be committed, generated from the synthesized app. */
export function renderDiagrams(): { drawio: string; svg: string } {
  // Same feature flags as `cdk synth`; no imageTag, so the output never depends on a deploy.
  const model = buildArchitectureModel(
    new App({ context: { ...cdkJson.context, 'aws:cdk:enable-path-metadata': true } }),
  );
  const layout = layoutModel(model);
  return { drawio: toDrawio(model, layout), svg: toSvg(model, layout) };
}

if (require.main === module) {
  const { drawio, svg } = renderDiagrams();
  mkdirSync(dirname(DRAWIO_PATH), { recursive: true });
  writeFileSync(DRAWIO_PATH, drawio);
  writeFileSync(SVG_PATH, svg);
  console.log(`wrote ${DRAWIO_PATH} and ${SVG_PATH}`);
}
