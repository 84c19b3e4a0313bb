import { AsyncLocalStorage } from 'node:async_hooks';

interface Invocation {
  readonly basePath: string;
}

const scope = new AsyncLocalStorage<Invocation>();

/**
 * Per-invocation facts the app reads while handling the request. Async-local rather than module state, so
 * concurrent invocations in one process (the local emulator, tests) cannot see each other's stage.
 */
export function runInInvocation<T>(invocation: Invocation, fn: () => T): T {
  return scope.run(invocation, fn);
}

export function currentBasePath(): string {
  return scope.getStore()?.basePath ?? '';
}
