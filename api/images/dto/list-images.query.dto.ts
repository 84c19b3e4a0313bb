import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsOptional, IsString, MaxLength, Min, MinLength } from 'class-validator';

export class ListImagesQueryDto {
  // maximum and default are LIST_MAX_LIMIT and LIST_DEFAULT_LIMIT, written into the document by api/swagger.ts.
  @ApiPropertyOptional({ type: 'integer', minimum: 1, description: 'Page size (LIST_DEFAULT_LIMIT when absent).' })
  @IsOptional()
  // Plain decimal digits only: Number() would also take '1e2', '0x10', '+5' and '5.0'.
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' && /^[1-9][0-9]{0,8}$/.test(value) ? Number(value) : value,
  )
  @IsInt({ message: 'limit must be a positive whole number written in digits' })
  @Min(1)
  readonly limit?: number;

  @ApiPropertyOptional({
    description: 'Opaque cursor from the previous page’s nextCursor.',
    minLength: 1,
    maxLength: 2048,
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(2048)
  readonly cursor?: string;
}
