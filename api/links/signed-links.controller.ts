import { Controller, Get, Logger, Param, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiProduces, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ApiErrorResponses } from '../common/api-error-responses.decorator';
import { AppError } from '../common/app-error';
import { ImageIdPipe } from '../images/image-id.pipe';
import { conditionsOf, respondWithDelivery } from '../images/content-response';
import { ContentDelivery } from '../images/delivery/content-delivery';
import { ImagesService } from '../images/images.service';
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
  @ApiOperation({
    summary: 'Download the image bytes through a signed link',
    description:
      'The URL in `links.content`: needs no API key, works for that image only, until `expires`. Otherwise like GET /images/{id}/content.',
  })
  @ApiParam({ name: 'id', description: 'Image id (UUIDv7).' })
  @ApiQuery({ name: 'expires', description: 'Unix time the link stops working.' })
  @ApiQuery({ name: 'signature', description: 'HMAC-SHA256 of the path and expiry (base64url).' })
  @ApiProduces('image/jpeg', 'image/png', 'image/webp', 'image/gif', 'image/avif')
  @ApiResponse({ status: 200, description: 'The bytes.', schema: { type: 'string', format: 'binary' } })
  @ApiResponse({ status: 206, description: 'The requested byte range.', schema: { type: 'string', format: 'binary' } })
  @ApiResponse({ status: 304, description: 'Not modified.' })
  @ApiResponse({ status: 307, description: 'S3 only: a large image, from a short-lived presigned URL (Location).' })
  @ApiErrorResponses(400, 403, 404, 412, 416, 503)
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
