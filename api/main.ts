import { Logger } from '@nestjs/common';
import { createApp } from './app.factory';
import { StartupError } from './common/startup-error';
import { SHUTDOWN_SIGNALS } from './common/shutdown-signals';
import { ConfigValidationError, loadConfig, type AppConfig } from './config/app-config';

function configOrExit(): AppConfig {
  try {
    return loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigValidationError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exit(78); // EX_CONFIG: the environment, not the code, needs fixing.
  }
}

async function main(): Promise<void> {
  const config = configOrExit();
  const app = await createApp({ config });
  // Not SIGUSR2 (Nest's default list has it): that one is left to diagnostics (heap snapshots, profilers).
  app.enableShutdownHooks(SHUTDOWN_SIGNALS);
  await app.listen(config.PORT, config.HOST);
  const address = await app.getUrl();
  new Logger('Bootstrap').log(
    `imagestore listening on ${address} (storage: ${config.STORAGE_DRIVER}); Swagger UI at ${address}/docs`,
  );
}

void main().catch((error: unknown) => {
  if (!(error instanceof StartupError)) throw error;
  process.stderr.write(`${error.message}\n`);
  process.exit(78); // EX_CONFIG, as for a bad configuration
});
