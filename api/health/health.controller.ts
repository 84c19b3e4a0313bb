import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService, type HealthCheckResult } from '@nestjs/terminus';
import { AppError } from '../common/app-error';
import { ImageStorage } from '../images/image-storage';
import { HealthDocs } from './health.openapi';

const STORAGE_CHECK_TIMEOUT_MS = 3000;

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly storage: ImageStorage,
  ) {}

  @Get()
  @HealthCheck({ noCache: true, swaggerDocumentation: false })
  @HealthDocs()
  async check(): Promise<HealthCheckResult> {
    try {
      return await this.health.check([
        () =>
          this.indicators
            .check('storage')
            .attempt(() => this.storage.checkReady())
            .withTimeout(STORAGE_CHECK_TIMEOUT_MS),
      ]);
    } catch (error) {
      // e.g. "disk probe failed (ENOSPC)": an operator should see why, not only that.
      const reason = (error as { getResponse?: () => { error?: { storage?: { message?: string } } } }).getResponse?.()
        .error?.storage?.message;
      throw new AppError(
        'STORAGE_UNAVAILABLE',
        `Not ready: image storage does not answer${reason ? ` (${reason})` : ''}.`,
        { 'Retry-After': '5' },
      );
    }
  }
}
