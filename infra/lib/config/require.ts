/**
 * Small checks shared by the config loader and the constructs' props validation. Each throws an Error whose
 * message names the offending field and the accepted range, so a bad config fails `cdk synth` clearly.
 */

export function requireInteger(field: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${field} must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
}

export function requireMatch(field: string, value: string, pattern: RegExp, expected: string): void {
  if (!pattern.test(value)) {
    throw new Error(`${field} must be ${expected}, got ${JSON.stringify(value)}`);
  }
}

/** An exact browser origin: scheme, host and optional port; no path, no wildcard. */
export function requireOrigins(field: string, origins: readonly string[]): void {
  if (origins.length === 0) {
    throw new Error(`${field} must list at least one origin`);
  }
  for (const origin of origins) {
    let parsed: URL | undefined;
    try {
      parsed = new URL(origin);
    } catch {
      parsed = undefined;
    }
    const exact = parsed !== undefined && parsed.origin === origin && /^https?:$/.test(parsed.protocol);
    if (!exact || origin.includes('*')) {
      throw new Error(
        `${field} must hold exact origins like "https://app.example.org" (scheme, host, optional port; ` +
          `no path, no trailing slash, no wildcard), got ${JSON.stringify(origin)}`,
      );
    }
  }
}
