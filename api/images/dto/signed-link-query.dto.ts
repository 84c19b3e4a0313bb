import { ApiProperty } from '@nestjs/swagger';
import { IsOptional, IsString } from 'class-validator';
import { VariantQueryDto } from './variant-query.dto';

/**
 * The query of an app-signed variant link. The signature is checked by the controller, not here, so a missing
 * or malformed one is the same 403 as a wrong one rather than a 400 that tells them apart.
 */
export class SignedVariantQueryDto extends VariantQueryDto {
  @ApiProperty({ description: 'Unix time the link stops working.', example: '1796212800' })
  @IsOptional()
  @IsString()
  readonly expires?: string;

  @ApiProperty({
    description: 'HMAC-SHA256 of the path and expiry (base64url).',
    example: 'q5k0mYvQ0n1yYb8nQ3t2W1m8b1bq2m8q0b9m0n1y2bQ',
  })
  @IsOptional()
  @IsString()
  readonly signature?: string;
}
