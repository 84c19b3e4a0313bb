import { pipeline } from 'node:stream/promises';
import {
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  Post,
  Query,
  Req,
  Res,
  UseInterceptors,
  UploadedFile,
  Logger,
} from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { basePathOf } from '../common/base-path';
import { ImageDto, ImagePageDto } from './dto/image.dto';
import { ListImagesQueryDto } from './dto/list-images.query.dto';
import {
  assertPreconditionsForChange,
  decideContent,
  hasPreconditions,
  setBodyHeaders,
  setRepresentationHeaders,
} from './image-content.http';
import { ImageIdPipe } from './image-id.pipe';
import { ImageUploadInterceptor } from './image-upload.interceptor';
import { DeleteImageDocs, GetImageContentDocs, GetImageDocs, ListImagesDocs, UploadImageDocs } from './images.openapi';
import { ImagesService } from './images.service';

@ApiTags('images')
@Controller('images')
export class ImagesController {
  private readonly logger = new Logger(ImagesController.name);

  constructor(private readonly images: ImagesService) {}

  @Post()
  @HttpCode(201)
  @UseInterceptors(ImageUploadInterceptor)
  @UploadImageDocs()
  async upload(
    @UploadedFile() file: Express.Multer.File,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ImageDto> {
    const record = await this.images.upload(file.buffer, file.originalname);
    const dto = ImageDto.from(record, basePathOf(req));
    res.location(dto.links.self);
    return dto;
  }

  @Get()
  @ListImagesDocs()
  async list(@Query() query: ListImagesQueryDto, @Req() req: Request): Promise<ImagePageDto> {
    const page = await this.images.list(query.limit, query.cursor);
    const basePath = basePathOf(req);
    return { items: page.items.map((record) => ImageDto.from(record, basePath)), nextCursor: page.nextCursor };
  }

  @Get(':id')
  @GetImageDocs()
  async get(@Param('id', ImageIdPipe) id: string, @Req() req: Request): Promise<ImageDto> {
    return ImageDto.from(await this.images.get(id), basePathOf(req));
  }

  @Get(':id/content')
  @GetImageContentDocs()
  async content(@Param('id', ImageIdPipe) id: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    const needsMetadataFirst =
      req.method === 'HEAD' ||
      req.headers.range !== undefined ||
      hasPreconditions(req) ||
      req.headers['if-modified-since'] !== undefined;
    if (!needsMetadataFirst) {
      const opened = await this.images.open(id);
      const link = await this.images.contentLink(opened.record);
      if (link) {
        // Rare (only images bigger than CONTENT_REDIRECT_BYTES) and cheaper than a HEAD before every read.
        opened.body.destroy();
        return redirectToContent(res, link);
      }
      setRepresentationHeaders(res, opened.record);
      setBodyHeaders(res, opened.record);
      return this.stream(opened.body, res);
    }
    const record = await this.images.get(id);
    const decision = decideContent(req, record);
    if (decision.kind === 'not-modified') {
      setRepresentationHeaders(res, record);
      res.status(304).end();
      return;
    }
    // HEAD is answered here: a presigned URL is signed for GET only, and the headers need no bytes.
    const link = req.method === 'HEAD' ? undefined : await this.images.contentLink(record);
    if (link) return redirectToContent(res, link);
    setRepresentationHeaders(res, record);
    const range = decision.kind === 'partial' ? decision.range : undefined;
    if (req.method === 'HEAD') {
      setBodyHeaders(res, record, range);
      res.end();
      return;
    }
    const opened = await this.images.open(id, range);
    setBodyHeaders(res, opened.record, opened.range);
    return this.stream(opened.body, res);
  }

  @Delete(':id')
  @HttpCode(204)
  @DeleteImageDocs()
  async delete(@Param('id', ImageIdPipe) id: string, @Req() req: Request): Promise<void> {
    if (hasPreconditions(req)) assertPreconditionsForChange(req, await this.images.get(id));
    await this.images.delete(id);
  }

  private async stream(body: NodeJS.ReadableStream, res: Response): Promise<void> {
    try {
      await pipeline(body, res);
    } catch (error) {
      // Headers are gone by now; the client sees a cut connection, which is the truthful outcome.
      this.logger.warn({ err: error }, 'image stream ended early');
      res.destroy();
    }
  }
}

/** 307 keeps the method, so a HEAD or a ranged GET is repeated as such against the store. */
function redirectToContent(res: Response, url: string): void {
  // The URL expires; neither it nor this answer may be cached.
  res.setHeader('Cache-Control', 'private, no-store');
  res.redirect(307, url);
}
