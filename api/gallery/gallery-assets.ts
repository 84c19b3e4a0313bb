import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../config/app-config';

/**
 * Where `npm run build:web` leaves the gallery: beside the bundle in the Lambda artifact (dist-lambda/gallery),
 * else web/dist in the repository (from dist/gallery/ and from api/gallery/ alike).
 */
const DEFAULT_LOCATIONS = [join(__dirname, 'gallery'), resolve(__dirname, '..', '..', 'web', 'dist')];

const escapeAttribute = (value: string) =>
  value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export interface GalleryPageSettings {
  /** The public prefix the page is served under (`''` or e.g. `/local`). */
  readonly basePath: string;
  readonly maxUploadBytes: number;
  /** Files above this go straight to the bucket; undefined without direct uploads (disk storage). */
  readonly directUploadAboveBytes?: number;
}

/** The built gallery (Vite's output), read once at start-up: index.html and the hashed files under assets/. */
@Injectable()
export class GalleryAssets {
  private readonly logger = new Logger(GalleryAssets.name);
  readonly directory?: string;
  private readonly indexHtml?: string;
  private readonly assetNames: ReadonlySet<string>;

  constructor(config: AppConfig) {
    const candidates = config.GALLERY_DIR ? [resolve(config.GALLERY_DIR)] : DEFAULT_LOCATIONS;
    this.directory = candidates.find((dir) => existsSync(join(dir, 'index.html')));
    if (!this.directory) {
      this.logger.warn(`No built gallery in ${candidates.join(' or ')}: GET / answers 404 (npm run build:web)`);
      this.assetNames = new Set();
      return;
    }
    this.indexHtml = readFileSync(join(this.directory, 'index.html'), 'utf8');
    const assetsDir = join(this.directory, 'assets');
    this.assetNames = new Set(existsSync(assetsDir) ? readdirSync(assetsDir) : []);
  }

  get available(): boolean {
    return this.indexHtml !== undefined;
  }

  get assetsDirectory(): string | undefined {
    return this.directory && join(this.directory, 'assets');
  }

  /** Only files the build produced; anything else (`..`, dotfiles, typos) is a plain 404. */
  hasAsset(name: string): boolean {
    return this.assetNames.has(name);
  }

  /**
   * index.html with a `<base>` for the request's prefix, so its relative URLs (and the API calls the script
   * makes) resolve under `/local/` even when the page was opened as `/local`, plus the upload limits as `<meta>`:
   * the page's CSP allows no inline script to carry them.
   */
  page(settings: GalleryPageSettings): string | undefined {
    if (!this.indexHtml) return undefined;
    const meta = [
      `<base href="${escapeAttribute(`${settings.basePath}/`)}">`,
      `<meta name="imagestore:max-upload-bytes" content="${settings.maxUploadBytes}">`,
      settings.directUploadAboveBytes === undefined
        ? ''
        : `<meta name="imagestore:direct-upload-above-bytes" content="${settings.directUploadAboveBytes}">`,
    ].join('');
    return this.indexHtml.replace(/<head>/i, `<head>${meta}`);
  }
}
