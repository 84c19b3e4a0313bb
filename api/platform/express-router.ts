import type { NestExpressApplication } from '@nestjs/platform-express';

/** What a layer of Express 5's router exposes about a route (`router` package internals). */
export interface RouteLayer {
  readonly route?: { readonly path: unknown; readonly methods: Record<string, boolean> };
}

/**
 * The registered routes, read from Express's router stack (`app.router.stack`), the only place that knows
 * every method registered for a path. Read lazily: routes exist only after `init()`. platform.spec.ts fails if
 * an Express upgrade changes the shape.
 */
export function routerLayersOf(app: NestExpressApplication): () => readonly RouteLayer[] {
  const express = app.getHttpAdapter().getInstance() as unknown as { router: { stack: readonly RouteLayer[] } };
  return () => express.router.stack;
}
