import { ApiProperty } from '@nestjs/swagger';
import type { ContentLinks } from '../../links/content-links';
import { ALLOWED_IMAGE_TYPES, type AllowedImageType, type ImageRecord } from '../image-record';

export class ImageLinksDto {
  @ApiProperty({ example: '/images/01936f8e-7b3c-7c1e-9a4e-3f2b1c0d9e8f' })
  readonly self!: string;

  @ApiProperty({
    example: '/signed/images/01936f8e-7b3c-7c1e-9a4e-3f2b1c0d9e8f/content?expires=1767225600&signature=3q2-7w…',
    description:
      'Capability URL of the bytes: works without the API key (e.g. in <img src>), for this image only, for CONTENT_LINK_TTL_SECONDS. A CloudFront signed URL on stages with the CDN.',
  })
  readonly content!: string;
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

  @ApiProperty({ type: ImageLinksDto })
  readonly links!: ImageLinksDto;

  static from(record: ImageRecord, basePath: string, links: ContentLinks): ImageDto {
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
      links: { self, content: links.linkTo(record.id, { kind: 'original' }, basePath) },
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
