/** fetch as the client calls it: always with one Request. */
export type RequestFetch = (request: Request) => Promise<Response>;

export interface RetryPolicy {
  /** Further attempts after a 503 (default 3). */
  readonly retries?: number;
  /** Upper bound for one wait, whatever Retry-After says (default 30 s). */
  readonly maxDelayMs?: number;
  /** Wait when a 503 has no usable Retry-After (default 1 s). */
  readonly defaultDelayMs?: number;
  /** Told before each wait, e.g. to show "retrying in 2 s". */
  readonly onRetry?: (info: { attempt: number; delayMs: number; response: Response }) => void;
}

/** Milliseconds a Retry-After value asks for: delta-seconds or an HTTP date (RFC 9110 §10.2.3). */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (value === null) return undefined;
  if (/^\s*\d+\s*$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/**
 * Wraps fetch so a 503 (SERVER_BUSY, STORAGE_UNAVAILABLE) is retried after its Retry-After. `makeRequest` builds
 * a fresh request per attempt, because a sent body cannot be sent again.
 */
export async function fetchWithRetry(
  makeRequest: () => Request,
  policy: RetryPolicy = {},
  fetchImpl: RequestFetch = (request) => fetch(request),
): Promise<Response> {
  const retries = policy.retries ?? 3;
  for (let attempt = 0; ; attempt++) {
    const request = makeRequest();
    const response = await fetchImpl(request);
    if (response.status !== 503 || attempt >= retries) return response;
    const delayMs = Math.min(
      retryAfterMs(response.headers.get('retry-after')) ?? policy.defaultDelayMs ?? 1000,
      policy.maxDelayMs ?? 30_000,
    );
    policy.onRetry?.({ attempt: attempt + 1, delayMs, response });
    await response.body?.cancel();
    await sleep(delayMs, request.signal);
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/** A fetch for openapi-fetch that retries 503s; the request is cloned before each attempt so its body survives. */
export function retryingFetch(policy: RetryPolicy = {}, fetchImpl: RequestFetch = (request) => fetch(request)) {
  return (input: Request) => {
    const original = input.clone();
    let first = true;
    return fetchWithRetry(
      () => {
        const next = first ? input : original.clone();
        first = false;
        return next;
      },
      policy,
      fetchImpl,
    );
  };
}
