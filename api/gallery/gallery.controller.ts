import { join } from 'node:path';
import { Controller, Get, Logger, Param, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { AppError } from '../common/app-error';
import { basePathOf } from '../common/base-path';
import { AppConfig } from '../config/app-config';
import { ContentLinks } from '../images/links/content-links';
import { GalleryAssets } from './gallery-assets';
import { galleryContentSecurityPolicy } from './gallery-csp';

/** Vite names every file in assets/ by its content hash, so a URL's bytes never change. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/** The web gallery (web/): its page at `/` and its hashed files at `/assets/*`, under the gallery's own CSP. */
@ApiExcludeController()
@Controller()
export class GalleryController {
  private readonly logger = new Logger(GalleryController.name);
  private readonly contentSecurityPolicy: string;

  constructor(
    private readonly assets: GalleryAssets,
    private readonly config: AppConfig,
    links: ContentLinks,
  ) {
    this.contentSecurityPolicy = galleryContentSecurityPolicy(config, links.origin);
  }

  @Get()
  index(@Req() req: Request, @Res() res: Response): void {
    const html = this.assets.page({
      basePath: basePathOf(req),
      maxUploadBytes: this.config.MAX_UPLOAD_BYTES,
      directUploadAboveBytes: this.config.STORAGE_DRIVER === 's3' ? this.config.MAX_UPLOAD_BYTES : undefined,
    });
    if (html === undefined) throw new AppError('ROUTE_NOT_FOUND', 'The gallery is not built (npm run build:web).');
    res.setHeader('Content-Security-Policy', this.contentSecurityPolicy);
    // The page names the current asset hashes: always revalidate it.
    res.setHeader('Cache-Control', 'no-cache');
    res.type('html').send(html);
  }

  @Get('assets/:file')
  asset(@Param('file') file: string, @Res() res: Response): void {
    const dir = this.assets.assetsDirectory;
    if (!dir || !this.assets.hasAsset(file)) throw new AppError('ROUTE_NOT_FOUND', 'No such gallery file.');
    res.setHeader('Content-Security-Policy', this.contentSecurityPolicy);
    res.sendFile(join(dir, file), { headers: { 'Cache-Control': IMMUTABLE }, cacheControl: false }, (error) => {
      // A client that went away mid-file is not an error worth more than a debug line.
      if (error) this.logger.debug({ err: error, file }, 'gallery file not sent');
    });
  }
}
