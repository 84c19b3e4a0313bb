import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, MaxLength, Min, MinLength } from 'class-validator';

export class ListImagesQueryDto {
  @ApiPropertyOptional({
    minimum: 1,
    maximum: 100,
    default: 20,
    description: 'Page size; the maximum is LIST_MAX_LIMIT.',
  })
  @IsOptional()
  // Plain decimal digits only: Number() would also take '1e2', '0x10', '+5' and '5.0'.
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && /^[1-9][0-9]{0,8}$/.test(value) ? Number(value) : value,
  )
  @IsInt({ message: 'limit must be a positive whole number written in digits' })
  @Min(1)
  readonly limit?: number;

  @ApiPropertyOptional({ description: 'Opaque cursor from the previous page’s nextCursor.' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(2048)
  readonly cursor?: string;
}
