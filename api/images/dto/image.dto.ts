import { ApiProperty } from '@nestjs/swagger';
import type { VariantPreset } from '../../config/variant-presets';
import type { ContentLinks } from '../links/content-links';
import { ALLOWED_IMAGE_TYPES, type AllowedImageType, type ImageRecord } from '../image-record';
import { fittedSize } from '../variants/fitted-size';
import { familyOf } from '../variants/variant-format';

const EXAMPLE_SELF = '/images/01936f8e-7b3c-7c1e-9a4e-3f2b1c0d9e8f';

export class ImageLinksDto {
  @ApiProperty({ example: '/images/01936f8e-7b3c-7c1e-9a4e-3f2b1c0d9e8f' })
  readonly self!: string;

  @ApiProperty({
    example: '/signed/images/01936f8e-7b3c-7c1e-9a4e-3f2b1c0d9e8f/content?expires=1767225600&signature=3q2-7w…',
    description:
      'Capability URL of the bytes: works without the API key (e.g. in <img src>), for this image only, for CONTENT_LINK_TTL_SECONDS. A CloudFront signed URL on stages with the CDN.',
  })
  readonly content!: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    description:
      'Preset name → capability URL of that sized copy (IMAGE_VARIANTS), like `content`: no API key, this image and preset only, for CONTENT_LINK_TTL_SECONDS. The format follows Accept; an app-signed link (`/signed/…`) also takes `format=` added to its query, a CDN link does not (the signature covers its whole URL).',
    example: Object.fromEntries(
      ['thumb', 'small', 'medium', 'large'].map((preset) => [
        preset,
        `/signed${EXAMPLE_SELF}/variants/${preset}?expires=1767225600&signature=Zm9v…`,
      ]),
    ),
  })
  readonly variants!: Record<string, string>;
}

export class VariantSizeDto {
  @ApiProperty({ example: 256 })
  readonly width!: number;

  @ApiProperty({ example: 192 })
  readonly height!: number;
}

export class ImageDto {
  @ApiProperty({ example: '01936f8e-7b3c-7c1e-9a4e-3f2b1c0d9e8f', description: 'UUIDv7, assigned by the server.' })
  readonly id!: string;

  @ApiProperty({ enum: ALLOWED_IMAGE_TYPES, example: 'image/jpeg', description: 'Sniffed from the bytes.' })
  readonly contentType!: AllowedImageType;

  @ApiProperty({ example: 245120, description: 'Stored size in bytes.' })
  readonly size!: number;

  @ApiProperty({ example: 1600 })
  readonly width!: number;

  @ApiProperty({ example: 1200 })
  readonly height!: number;

  @ApiProperty({
    example: 'b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9',
    description: 'Hex SHA-256 of the stored bytes; the ETag of the content.',
  })
  readonly sha256!: string;

  @ApiProperty({
    type: String,
    nullable: true,
    example: 'holiday.jpg',
    description: 'Client file name, sanitized; display only.',
  })
  readonly originalName!: string | null;

  @ApiProperty({ example: '2026-11-28T09:30:00.000Z', format: 'date-time' })
  readonly createdAt!: string;

  @ApiProperty({
    type: String,
    nullable: true,
    example: '1QcSHQRnh493V4dIh4eXh1h4kJUI',
    description:
      'A ThumbHash (base64) of the image: decode it (the `thumbhash` package, thumbHashToDataURL) into a blurred preview to show before the image loads. Null for images stored before placeholders existed.',
  })
  readonly placeholder!: string | null;

  @ApiProperty({
    type: 'object',
    additionalProperties: {
      type: 'object',
      properties: { width: { type: 'integer' }, height: { type: 'integer' } },
      required: ['width', 'height'],
    },
    description:
      'Preset name → the pixel size of that variant of this image (fitted inside the preset, never enlarged), for `srcset` width descriptors and layout.',
    example: {
      thumb: { width: 256, height: 192 },
      small: { width: 640, height: 480 },
      medium: { width: 1280, height: 960 },
      large: { width: 1600, height: 1200 },
    },
  })
  readonly variants!: Record<string, VariantSizeDto>;

  @ApiProperty({ type: ImageLinksDto })
  readonly links!: ImageLinksDto;

  static from(record: ImageRecord, basePath: string, presets: readonly VariantPreset[], links: ContentLinks): ImageDto {
    const self = `${basePath}/images/${record.id}`;
    return {
      id: record.id,
      contentType: record.contentType,
      size: record.size,
      width: record.width,
      height: record.height,
      sha256: record.sha256,
      originalName: record.originalName,
      createdAt: record.createdAt,
      placeholder: record.placeholder ?? null,
      variants: Object.fromEntries(
        presets.map(({ name, size }) => [name, fittedSize(record.width, record.height, size)]),
      ),
      links: {
        self,
        content: links.linkTo(record.id, { kind: 'original' }, basePath),
        variants: Object.fromEntries(
          presets.map(({ name }) => [
            name,
            links.linkTo(
              record.id,
              { kind: 'variant', preset: name, fallback: familyOf(record), animated: record.animated },
              basePath,
            ),
          ]),
        ),
      },
    };
  }
}

export class ImagePageDto {
  @ApiProperty({ type: [ImageDto] })
  readonly items!: ImageDto[];

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as `cursor` for the next page; null on the last page.',
  })
  readonly nextCursor!: string | null;
}
