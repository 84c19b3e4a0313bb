import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { ImageStorage } from './image-storage';

/**
 * Runs the store's sweep once at start-up and then every STORAGE_SWEEP_INTERVAL_SECONDS, one run at a time and
 * in the background: it settles uploads whose outcome was unknown and drops expired idempotency keys, so no
 * image nobody was told about stays listed. Each run is a bounded batch; a backlog takes a few runs.
 */
@Injectable()
export class StorageSweeper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(StorageSweeper.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly storage: ImageStorage,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const intervalSeconds = this.config.STORAGE_SWEEP_INTERVAL_SECONDS;
    if (intervalSeconds === 0) return;
    void this.runOnce();
    this.timer = setInterval(() => void this.runOnce(), intervalSeconds * 1000);
    // The sweep never keeps the process (or a Lambda invocation) alive by itself.
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /** One sweep; concurrent calls share it. */
  runOnce(): Promise<void> {
    this.running ??= this.storage
      .sweep()
      .then((report) => {
        if (report.abandonedUploads + report.expiredKeys > 0) this.logger.log(report, 'storage swept');
      })
      .catch((error: unknown) => this.logger.warn(`storage sweep failed: ${(error as Error).message}`))
      .finally(() => (this.running = undefined));
    return this.running;
  }
}
