// The API key for stages behind an API Gateway usage plan: asked for on the first 403, kept for this tab only.
const STORAGE_KEY = 'imagestore.apiKey';

export interface KeyRequest {
  /** True when the key that was sent got a 403: say it is wrong rather than missing. */
  readonly rejected: boolean;
}

export class ApiKeyCancelled extends Error {
  constructor() {
    super('An API key is needed to use this gallery.');
    this.name = 'ApiKeyCancelled';
  }
}

/**
 * sessionStorage only: the key survives a reload of this tab but is gone when the tab closes, and never lands in
 * localStorage or a cookie that other tabs or requests would carry.
 */
export class ApiKeys {
  private pending?: { promise: Promise<void>; settle: (key: string | null) => void };
  /** Used only when sessionStorage is unavailable (disabled storage), so the key still works until a reload. */
  private unstoredKey: string | null = null;

  constructor(private readonly ask: (request: KeyRequest) => void) {}

  current(): string | null {
    try {
      return sessionStorage.getItem(STORAGE_KEY) ?? this.unstoredKey;
    } catch {
      return this.unstoredKey;
    }
  }

  /**
   * Resolves once the person has entered a key. Concurrent 403s share one prompt; a request whose key was
   * replaced meanwhile simply retries with the new one.
   */
  demand(sentKey: string | null): Promise<void> {
    if (this.pending) return this.pending.promise;
    if (sentKey !== this.current()) return Promise.resolve();
    let settle!: (key: string | null) => void;
    const promise = new Promise<void>((resolve, reject) => {
      settle = (key) => {
        this.pending = undefined;
        if (key === null) return reject(new ApiKeyCancelled());
        try {
          sessionStorage.setItem(STORAGE_KEY, key);
        } catch {
          this.unstoredKey = key;
        }
        resolve();
      };
    });
    this.pending = { promise, settle };
    this.ask({ rejected: sentKey !== null });
    return promise;
  }

  /** From the prompt: a key, or null when the person dismissed it. */
  provide(key: string | null): void {
    this.pending?.settle(key === null ? null : key.trim());
  }
}
