import { Controller, HttpCode, Param, Post, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { basePathOf } from '../../common/base-path';
import { AppConfig } from '../../config/app-config';
import { ContentLinks } from '../links/content-links';
import { ImageDto } from '../dto/image.dto';
import { DirectUploadDto } from './direct-upload.dto';
import { CompleteDirectUploadDocs, StartDirectUploadDocs } from './direct-uploads.openapi';
import { DirectUploadsService } from './direct-uploads.service';
import { UploadIdPipe } from './upload-id.pipe';

@ApiTags('direct uploads')
@Controller('images/uploads')
export class DirectUploadsController {
  constructor(
    private readonly uploads: DirectUploadsService,
    private readonly config: AppConfig,
    private readonly links: ContentLinks,
  ) {}

  @Post()
  @HttpCode(201)
  @StartDirectUploadDocs()
  async start(@Req() req: Request): Promise<DirectUploadDto> {
    const started = await this.uploads.start();
    return { ...started, completeUrl: `${basePathOf(req)}/images/uploads/${started.uploadId}/complete` };
  }

  @Post(':uploadId/complete')
  @HttpCode(201)
  @CompleteDirectUploadDocs()
  async complete(
    @Param('uploadId', UploadIdPipe) uploadId: string,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ImageDto> {
    const dto = ImageDto.from(
      await this.uploads.complete(uploadId),
      basePathOf(req),
      this.config.variantPresets,
      this.links,
    );
    res.location(dto.links.self);
    return dto;
  }
}
