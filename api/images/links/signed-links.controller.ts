import { Controller, Get, Logger, Param, Query, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { AppError } from '../../common/app-error';
import { ImageIdPipe } from '../image-id.pipe';
import { conditionsOf, respondWithDelivery } from '../content-response';
import { ContentDelivery } from '../delivery/content-delivery';
import { GetSignedImageContentDocs } from '../content.openapi';
import { ImagesService } from '../images.service';
import { AppSignedLinks, representationPath } from './app-signed-links';

/**
 * The links the app signs itself: the signature in the URL is the credential, so no API key is asked for
 * (API Gateway serves `/signed/*` keyless). Once the link checks out, the read is exactly `/content`'s.
 */
@ApiTags('images')
@Controller('signed/images')
export class SignedLinksController {
  private readonly logger = new Logger(SignedLinksController.name);

  constructor(
    private readonly links: AppSignedLinks,
    private readonly images: ImagesService,
    private readonly delivery: ContentDelivery,
  ) {}

  @Get(':id/content')
  @GetSignedImageContentDocs()
  async content(
    @Param('id', ImageIdPipe) id: string,
    @Query('expires') expires: string | undefined,
    @Query('signature') signature: string | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    this.verify(representationPath(id, { kind: 'original' }), expires, signature);
    const delivery = await this.delivery.deliver(this.images.original(id), conditionsOf(req), () => !res.destroyed);
    await respondWithDelivery(res, delivery, this.logger);
  }

  private verify(path: string, expires: string | undefined, signature: string | undefined): void {
    switch (this.links.check(path, expires, signature)) {
      case 'invalid':
        throw new AppError('INVALID_SIGNATURE', 'The link is not signed for this image.');
      case 'expired':
        throw new AppError('LINK_EXPIRED', 'The link has expired; fetch the metadata again for a fresh one.');
    }
  }
}
