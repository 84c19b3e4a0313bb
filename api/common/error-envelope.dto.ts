import { STATUS_CODES } from 'node:http';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ERROR_CODES, type ErrorCode } from './app-error';

/** The one error shape every route answers with. */
export class ErrorEnvelopeDto {
  @ApiProperty({ example: 404 })
  readonly statusCode!: number;

  @ApiProperty({ example: 'Not Found', description: 'The HTTP reason phrase.' })
  readonly error!: string;

  @ApiProperty({ enum: ERROR_CODES, example: 'IMAGE_NOT_FOUND', description: 'Stable machine-readable code.' })
  readonly code!: ErrorCode;

  @ApiProperty({ example: 'No image with id 01936f8e-7b3c-7c1e-9a4e-3f2b1c0d9e8f' })
  readonly message!: string;

  @ApiPropertyOptional({ type: [String], description: 'Per-field problems, for VALIDATION_FAILED.' })
  readonly details?: string[];

  @ApiPropertyOptional({
    description: 'UPLOAD_OUTCOME_UNKNOWN only: the id the image has if it was stored; look it up, or retry.',
    example: '01936f8e-7b3c-7c1e-9a4e-3f2b1c0d9e8f',
  })
  readonly imageId?: string;

  @ApiProperty({ example: '6f1c1f5e-2c1b-4a57-9d0e-2f7f2c0b8a11', description: 'Also in the x-request-id header.' })
  readonly requestId!: string;
}

/** Builds the envelope; the reason phrase always follows from the status. */
export function errorEnvelope(
  statusCode: number,
  code: ErrorCode,
  message: string,
  requestId: string,
  details?: string[],
  imageId?: string,
): ErrorEnvelopeDto {
  return {
    statusCode,
    error: STATUS_CODES[statusCode] ?? 'Error',
    code,
    message,
    ...(details ? { details } : {}),
    ...(imageId ? { imageId } : {}),
    requestId,
  };
}
