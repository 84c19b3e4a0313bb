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
import {
  ApiBody,
  ApiConsumes,
  ApiHeader,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiProduces,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { basePathOf } from '../common/base-path';
import { ApiErrorResponses } from '../common/api-error-responses.decorator';
import { ContentLinks } from '../links/content-links';
import { ImageDto, ImagePageDto } from './dto/image.dto';
import { ListImagesQueryDto } from './dto/list-images.query.dto';
import { conditionsOf, respondWithDelivery } from './content-response';
import { ContentDelivery } from './delivery/content-delivery';
import { ImageIdPipe } from './image-id.pipe';
import { ImageUploadInterceptor, UPLOAD_FIELD } from './image-upload.interceptor';
import { ImagesService } from './images.service';

const ID_PARAM = { name: 'id', description: 'Image id (UUIDv7).', example: '01936f8e-7b3c-7c1e-9a4e-3f2b1c0d9e8f' };

@ApiTags('images')
@Controller('images')
export class ImagesController {
  private readonly logger = new Logger(ImagesController.name);

  constructor(
    private readonly images: ImagesService,
    private readonly delivery: ContentDelivery,
    private readonly links: ContentLinks,
  ) {}

  @Post()
  @HttpCode(201)
  @UseInterceptors(ImageUploadInterceptor)
  @ApiOperation({
    summary: 'Upload an image',
    description:
      'JPEG, PNG, WebP, GIF or AVIF, decided from the bytes. The image is re-encoded to drop metadata such as GPS location.',
  })
  @ApiConsumes('multipart/form-data')
  @ApiBody({
    schema: {
      type: 'object',
      required: [UPLOAD_FIELD],
      properties: { [UPLOAD_FIELD]: { type: 'string', format: 'binary', description: 'The image file.' } },
    },
  })
  @ApiResponse({
    status: 201,
    type: ImageDto,
    description: 'Stored; `Location` points at the new image.',
    headers: { Location: { description: 'URL of the image metadata.', schema: { type: 'string' } } },
  })
  @ApiErrorResponses(400, 413, 415, 422, 503)
  async upload(
    @UploadedFile() file: Express.Multer.File,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ImageDto> {
    const record = await this.images.upload(file.buffer, file.originalname);
    const dto = ImageDto.from(record, basePathOf(req), this.links);
    res.location(dto.links.self);
    return dto;
  }

  @Get()
  @ApiOperation({
    summary: 'List images',
    description: 'Oldest first (ascending id, which is upload order). Follow nextCursor for more.',
  })
  @ApiOkResponse({ type: ImagePageDto })
  @ApiErrorResponses(400, 503)
  async list(@Query() query: ListImagesQueryDto, @Req() req: Request): Promise<ImagePageDto> {
    const page = await this.images.list(query.limit, query.cursor);
    const basePath = basePathOf(req);
    return {
      items: page.items.map((record) => ImageDto.from(record, basePath, this.links)),
      nextCursor: page.nextCursor,
    };
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get image metadata' })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ type: ImageDto })
  @ApiErrorResponses(400, 404, 503)
  async get(@Param('id', ImageIdPipe) id: string, @Req() req: Request): Promise<ImageDto> {
    return ImageDto.from(await this.images.get(id), basePathOf(req), this.links);
  }

  @Get(':id/content')
  @ApiOperation({
    summary: 'Download the image bytes',
    description:
      'Supports HEAD, If-None-Match / If-Modified-Since (304), and a single byte Range (206). Images too big for the Lambda response limit redirect (307) to a short-lived presigned S3 URL.',
  })
  @ApiParam(ID_PARAM)
  @ApiHeader({ name: 'Range', required: false, description: 'e.g. bytes=0-1023' })
  @ApiHeader({ name: 'If-None-Match', required: false, description: 'An ETag from an earlier response.' })
  @ApiProduces('image/jpeg', 'image/png', 'image/webp', 'image/gif', 'image/avif')
  @ApiResponse({ status: 200, description: 'The bytes.', schema: { type: 'string', format: 'binary' } })
  @ApiResponse({ status: 206, description: 'The requested byte range.', schema: { type: 'string', format: 'binary' } })
  @ApiResponse({ status: 304, description: 'Not modified.' })
  @ApiResponse({
    status: 307,
    description:
      'S3 only: an image bigger than CONTENT_REDIRECT_BYTES is fetched from a presigned URL valid for CONTENT_URL_EXPIRES_SECONDS (Location).',
  })
  @ApiHeader({ name: 'If-Match', required: false, description: 'Answer 412 unless the image has one of these ETags.' })
  @ApiErrorResponses(400, 404, 412, 416, 503)
  async content(@Param('id', ImageIdPipe) id: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    const delivery = await this.delivery.deliver(this.images.original(id), conditionsOf(req), () => !res.destroyed);
    await respondWithDelivery(res, delivery, this.logger);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete an image' })
  @ApiParam(ID_PARAM)
  @ApiNoContentResponse({ description: 'Deleted.' })
  @ApiHeader({
    name: 'If-Match',
    required: false,
    description: 'Delete only if the image has this ETag (412 otherwise); If-Unmodified-Since works too.',
  })
  @ApiErrorResponses(400, 404, 412, 503)
  async delete(@Param('id', ImageIdPipe) id: string, @Req() req: Request): Promise<void> {
    await this.images.delete(id, conditionsOf(req));
  }
}
