import { Controller, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiParam, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { ApiErrorResponses } from '../../common/api-error-responses.decorator';
import { basePathOf } from '../../common/base-path';
import { ContentLinks } from '../../links/content-links';
import { ImageDto } from '../dto/image.dto';
import { DirectUploadDto } from './direct-upload.dto';
import { DirectUploadsService } from './direct-uploads.service';
import { UploadIdPipe } from './upload-id.pipe';

@ApiTags('direct uploads')
@Controller('images/uploads')
export class DirectUploadsController {
  constructor(
    private readonly uploads: DirectUploadsService,
    private readonly links: ContentLinks,
  ) {}

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary: 'Start a direct-to-storage upload (S3 only)',
    description:
      'For images larger than the API accepts. POST the returned `fields` and then the image (part `file`) to `url`, then call `completeUrl`. Answers 501 with the disk driver.',
  })
  @ApiResponse({ status: 201, type: DirectUploadDto })
  @ApiErrorResponses(501, 503)
  async start(@Req() req: Request): Promise<DirectUploadDto> {
    const started = await this.uploads.start();
    return { ...started, completeUrl: `${basePathOf(req)}/images/uploads/${started.uploadId}/complete` };
  }

  @Post(':uploadId/complete')
  @HttpCode(201)
  @ApiOperation({
    summary: 'Verify a direct upload and store it as an image',
    description: 'Applies every check of POST /images. The staged object is deleted whether it passes or not.',
  })
  @ApiParam({ name: 'uploadId', example: '3b241101-e2bb-4255-8caf-4136c566a962' })
  @ApiResponse({ status: 201, type: ImageDto })
  @ApiErrorResponses(400, 404, 413, 415, 422, 501, 503)
  async complete(
    @Param('uploadId', UploadIdPipe) uploadId: string,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ImageDto> {
    const dto = ImageDto.from(await this.uploads.complete(uploadId), basePathOf(req), this.links);
    res.location(dto.links.self);
    return dto;
  }
}
