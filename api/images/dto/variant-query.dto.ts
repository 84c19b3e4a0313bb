import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { VARIANT_FORMATS, type VariantFormat } from '../variants/variant-record';

export class VariantQueryDto {
  @ApiPropertyOptional({
    enum: VARIANT_FORMATS,
    description: 'Pick the format instead of negotiating it from Accept (the answer then has no `Vary: Accept`).',
  })
  @IsOptional()
  @IsIn(VARIANT_FORMATS, { message: `format must be one of ${VARIANT_FORMATS.join(', ')}` })
  readonly format?: VariantFormat;
}
