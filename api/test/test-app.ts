import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { createApp } from '../app.factory';
import { loadConfig } from '../config/app-config';

export interface TestApp {
  readonly app: NestExpressApplication;
  readonly server: ReturnType<NestExpressApplication['getHttpServer']>;
  readonly storageDir: string;
  /** Every file under the storage root, staging area included, so "nothing stored, not even partly" is checkable. */
  storedFiles(): Promise<string[]>;
  close(): Promise<void>;
}

/** The real app, as `main.ts` builds it, on a throwaway storage directory. */
export async function createTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const storageDir = await mkdtemp(join(tmpdir(), 'imagestore-test-'));
  const config = loadConfig({ STORAGE_DIR: storageDir, LOG_LEVEL: 'silent', LOG_FORMAT: 'json', ...env });
  const app = await createApp({ config });
  return {
    app,
    server: app.getHttpServer(),
    storageDir,
    storedFiles: () => listFiles(storageDir),
    close: async () => {
      await app.close();
      await rm(storageDir, { recursive: true, force: true });
    },
  };
}

async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)))
    .sort();
}
