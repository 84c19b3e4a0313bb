import { Controller, Get, Logger, Param, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { AppError } from '../../common/app-error';
import { sendRepresentation } from '../content-response';
import { GetCdnVariantDocs } from '../content.openapi';
import { ContentDelivery } from '../delivery/content-delivery';
import { ImageIdPipe } from '../image-id.pipe';
import { ImageVariantsService } from '../variants/image-variants.service';
import { parseVariantName } from '../variants/variant-record';

/** Where CloudFront's fallback origin sends a variant the bucket lacks (infra: VARIANT_FALLBACK_ORIGIN_PATH). */
export const CDN_VARIANTS_PATH = 'cdn/variants';

/**
 * The CDN's fallback origin for variants: the edge has already checked the signed URL and turned Accept into a
 * stored name (`thumb.webp`), and asks here, under the bucket's own layout, only when the bucket does not have that
 * object yet. This makes it, stores it where the bucket origin will find it next time, and serves it. Reached
 * through a Lambda function URL that only CloudFront may call (Origin Access Control), or with the API key.
 */
@ApiTags('cdn')
@Controller(CDN_VARIANTS_PATH)
export class CdnVariantsController {
  private readonly logger = new Logger(CdnVariantsController.name);

  constructor(
    private readonly variants: ImageVariantsService,
    private readonly delivery: ContentDelivery,
  ) {}

  @Get(':id/:name')
  @GetCdnVariantDocs()
  async variant(
    @Param('id', ImageIdPipe) id: string,
    @Param('name') name: string,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const parsed = parseVariantName(name);
    if (!parsed) {
      throw new AppError('VARIANT_NOT_FOUND', 'A CDN variant name is <preset>.<avif|webp|jpg|png>.');
    }
    const { source } = await this.variants.variant(id, parsed.preset, { format: parsed.format });
    await sendRepresentation(req, res, this.delivery, source, this.logger);
  }
}
