import { ApiProperty } from '@nestjs/swagger';

export class DirectUploadDto {
  @ApiProperty({ example: '3b241101-e2bb-4255-8caf-4136c566a962', description: 'Pass to the complete call.' })
  readonly uploadId!: string;

  @ApiProperty({ example: 'https://my-bucket.s3.eu-west-1.amazonaws.com/', description: 'POST a multipart form here.' })
  readonly url!: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    description: 'Form fields to send first, then the image as a part named `file`.',
  })
  readonly fields!: Record<string, string>;

  @ApiProperty({ example: 52428800, description: 'Largest accepted file, enforced by the storage policy.' })
  readonly maxBytes!: number;

  @ApiProperty({ example: '2026-11-28T09:35:00.000Z', format: 'date-time' })
  readonly expiresAt!: string;

  @ApiProperty({ example: '/images/uploads/3b241101-e2bb-4255-8caf-4136c566a962/complete' })
  readonly completeUrl!: string;
}
