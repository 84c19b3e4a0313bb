import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiKeyCancelled, ApiKeys, type KeyRequest } from './api-keys';

class MemoryStorage {
  private readonly items = new Map<string, string>();
  getItem = (key: string) => this.items.get(key) ?? null;
  setItem = (key: string, value: string) => void this.items.set(key, value);
}

describe(ApiKeys.name, () => {
  let asked: KeyRequest[];
  let keys: ApiKeys;

  beforeEach(() => {
    vi.stubGlobal('sessionStorage', new MemoryStorage());
    asked = [];
    keys = new ApiKeys((request) => asked.push(request));
  });

  it('asks once for concurrent 403s and keeps the key for the tab', async () => {
    const first = keys.demand(null);
    const second = keys.demand(null);
    expect(asked).toEqual([{ rejected: false }]);
    keys.provide('  the-key ');
    await Promise.all([first, second]);
    expect(keys.current()).toBe('the-key');
    expect(sessionStorage.getItem('imagestore.apiKey')).toBe('the-key');
  });

  it('says the key was wrong when a sent key got the 403', async () => {
    const first = keys.demand(null);
    keys.provide('wrong');
    await first;
    const again = keys.demand('wrong');
    expect(asked).toEqual([{ rejected: false }, { rejected: true }]);
    keys.provide('right');
    await again;
    expect(keys.current()).toBe('right');
  });

  it('lets a request whose key was replaced meanwhile retry without asking', async () => {
    const first = keys.demand(null);
    keys.provide('new');
    await first;
    await keys.demand(null);
    expect(asked).toHaveLength(1);
  });

  it('fails the waiting requests when the prompt is dismissed', async () => {
    const waiting = keys.demand(null);
    keys.provide(null);
    await expect(waiting).rejects.toBeInstanceOf(ApiKeyCancelled);
    expect(keys.current()).toBeNull();
  });
});
