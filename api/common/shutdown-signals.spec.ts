import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../test/test-app';
import { SHUTDOWN_SIGNALS } from './shutdown-signals';

describe('shutdown signals', () => {
  let t: TestApp;
  const listeners = (signal: NodeJS.Signals) => process.listenerCount(signal);
  const before = { SIGTERM: 0, SIGINT: 0, SIGUSR2: 0 };

  beforeAll(async () => {
    t = await createTestApp();
    before.SIGTERM = listeners('SIGTERM');
    before.SIGINT = listeners('SIGINT');
    before.SIGUSR2 = listeners('SIGUSR2');
    // As main.ts does.
    t.app.enableShutdownHooks(SHUTDOWN_SIGNALS);
  });
  afterAll(() => t.close());

  it('closes the app on SIGTERM and SIGINT, and leaves SIGUSR2 to diagnostics', () => {
    expect(listeners('SIGTERM')).toBe(before.SIGTERM + 1);
    expect(listeners('SIGINT')).toBe(before.SIGINT + 1);
    expect(listeners('SIGUSR2')).toBe(before.SIGUSR2);
  });
});
