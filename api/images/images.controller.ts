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
import { AppConfig } from '../config/app-config';
import { ContentLinks } from './links/content-links';
import { ImageDto, ImagePageDto } from './dto/image.dto';
import { ListImagesQueryDto } from './dto/list-images.query.dto';
import { conditionsOf, sendRepresentation } from './content-response';
import { ContentDelivery } from './delivery/content-delivery';
import { parseIdempotencyKey } from './idempotency-key';
import { ImageIdPipe } from './image-id.pipe';
import { ImageUploadInterceptor } from './image-upload.interceptor';
import { UploadMetricsInterceptor } from './upload-metrics.interceptor';
import { GetImageContentDocs, GetImageVariantDocs } from './content.openapi';
import { DeleteImageDocs, GetImageDocs, ListImagesDocs, UploadImageDocs } from './images.openapi';
import { ImagesService } from './images.service';
import { VariantQueryDto } from './dto/variant-query.dto';
import { ImageVariantsService } from './variants/image-variants.service';

@ApiTags('images')
@Controller('images')
export class ImagesController {
  private readonly logger = new Logger(ImagesController.name);

  constructor(
    private readonly images: ImagesService,
    private readonly variants: ImageVariantsService,
    private readonly delivery: ContentDelivery,
    private readonly config: AppConfig,
    private readonly links: ContentLinks,
  ) {}

  @Post()
  @HttpCode(201)
  // Metrics outermost: a refusal by the body parser is an upload refused too.
  @UseInterceptors(UploadMetricsInterceptor, ImageUploadInterceptor)
  @UploadImageDocs()
  async upload(
    @UploadedFile() file: Express.Multer.File,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ImageDto> {
    const key = parseIdempotencyKey(req.headers['idempotency-key']);
    const { record, replayed } = await this.images.uploadOnce(file.buffer, file.originalname, key);
    const dto = ImageDto.from(record, basePathOf(req), this.config.variantPresets, this.links);
    res.location(dto.links.self);
    if (replayed) res.setHeader('Idempotent-Replayed', 'true');
    return dto;
  }

  @Get()
  @ListImagesDocs()
  async list(@Query() query: ListImagesQueryDto, @Req() req: Request): Promise<ImagePageDto> {
    const page = await this.images.list(query.limit, query.cursor);
    const basePath = basePathOf(req);
    const presets = this.config.variantPresets;
    return {
      items: page.items.map((record) => ImageDto.from(record, basePath, presets, this.links)),
      nextCursor: page.nextCursor,
    };
  }

  @Get(':id')
  @GetImageDocs()
  async get(@Param('id', ImageIdPipe) id: string, @Req() req: Request): Promise<ImageDto> {
    return ImageDto.from(await this.images.get(id), basePathOf(req), this.config.variantPresets, this.links);
  }

  @Get(':id/content')
  @GetImageContentDocs()
  async content(@Param('id', ImageIdPipe) id: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    await sendRepresentation(req, res, this.delivery, this.images.original(id), this.logger);
  }

  @Get(':id/variants/:preset')
  @GetImageVariantDocs()
  async variant(
    @Param('id', ImageIdPipe) id: string,
    @Param('preset') preset: string,
    @Query() query: VariantQueryDto,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    const { source, negotiated } = await this.variants.variant(id, preset, {
      format: query.format,
      accept: req.get('accept'),
    });
    await sendRepresentation(req, res, this.delivery, source, this.logger, negotiated);
  }

  @Delete(':id')
  @HttpCode(204)
  @DeleteImageDocs()
  async delete(@Param('id', ImageIdPipe) id: string, @Req() req: Request): Promise<void> {
    await this.images.delete(id, conditionsOf(req));
  }
}
