import { Controller, Get, Logger, Param, Query, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { AppError } from '../../common/app-error';
import { ImageIdPipe } from '../image-id.pipe';
import { sendRepresentation } from '../content-response';
import { ContentDelivery } from '../delivery/content-delivery';
import { GetSignedImageContentDocs, GetSignedImageVariantDocs } from '../content.openapi';
import { SignedVariantQueryDto } from '../dto/signed-link-query.dto';
import { ImagesService } from '../images.service';
import { ImageVariantsService } from '../variants/image-variants.service';
import { AppSignedLinks, representationPath } from './app-signed-links';

/**
 * The links the app signs itself: the signature in the URL is the credential, so no API key is asked for
 * (API Gateway serves `/signed/*` keyless). Once the link checks out, the read is exactly the keyed route's.
 */
@ApiTags('images')
@Controller('signed/images')
export class SignedLinksController {
  private readonly logger = new Logger(SignedLinksController.name);

  constructor(
    private readonly links: AppSignedLinks,
    private readonly images: ImagesService,
    private readonly variants: ImageVariantsService,
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
    await sendRepresentation(req, res, this.delivery, this.images.original(id), this.logger);
  }

  /** The signature covers the preset, not the format: one link serves whichever format the client can show. */
  @Get(':id/variants/:preset')
  @GetSignedImageVariantDocs()
  async variant(
    @Param('id', ImageIdPipe) id: string,
    @Param('preset') preset: string,
    @Query() query: SignedVariantQueryDto,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    this.verify(representationPath(id, { kind: 'variant', preset }), query.expires, query.signature);
    const { source, negotiated } = await this.variants.variant(id, preset, {
      format: query.format,
      accept: req.get('accept'),
    });
    await sendRepresentation(req, res, this.delivery, source, this.logger, negotiated);
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
