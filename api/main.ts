import { createServer } from 'node:net';
import { Logger } from '@nestjs/common';
import { createApp } from './app.factory';
import { StartupError } from './common/startup-error';
import { SHUTDOWN_SIGNALS } from './common/shutdown-signals';
import { ConfigValidationError, loadConfig, type AppConfig } from './config/app-config';

const EX_CONFIG = 78; // the environment, not the code, needs fixing

/** Under `npm run start:dev` the watcher outlives this process: say what it waits for instead of going silent. */
function exitForConfiguration(lines: string): never {
  process.stderr.write(`${lines}\n`);
  if (process.env.npm_lifecycle_event === 'start:dev') {
    process.stderr.write(
      'start:dev is waiting for a fix: saving .env or a file under api/ restarts the app (Ctrl-C stops it).\n',
    );
  }
  process.exit(EX_CONFIG);
}

function configOrExit(): AppConfig {
  try {
    return loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigValidationError)) throw error;
    exitForConfiguration(error.message);
  }
}

const LISTEN_FAILURES: Record<string, (config: AppConfig) => string> = {
  EADDRNOTAVAIL: ({ HOST }) => `HOST=${JSON.stringify(HOST)} is not an address of this machine`,
  ENOTFOUND: ({ HOST }) => `HOST=${JSON.stringify(HOST)} does not resolve to an address`,
  EAI_AGAIN: ({ HOST }) => `HOST=${JSON.stringify(HOST)} could not be resolved (DNS unavailable)`,
  EADDRINUSE: ({ PORT }) => `PORT=${PORT} is already in use there; stop what holds it or choose another PORT`,
  EACCES: ({ PORT }) => `PORT=${PORT} needs privileges here; choose a PORT from 1024 up`,
};

/**
 * Binds the address once and lets it go before the app boots, so an address the server cannot take costs one
 * line and exit 78 instead of Nest's error log and node:net's stack trace.
 */
async function exitUnlessCanListen(config: AppConfig): Promise<void> {
  const probe = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      probe.once('error', reject);
      probe.listen(config.PORT, config.HOST, resolve);
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    const reason = LISTEN_FAILURES[code]?.(config) ?? String(error);
    exitForConfiguration(`imagestore cannot listen on ${config.HOST}:${config.PORT}: ${reason} (${code || 'error'})`);
  }
  await new Promise((resolve) => probe.close(resolve));
}

async function main(): Promise<void> {
  const config = configOrExit();
  await exitUnlessCanListen(config);
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
