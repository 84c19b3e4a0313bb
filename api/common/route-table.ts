import { METHODS } from 'node:http';
import { match, type MatchFunction } from 'path-to-regexp';
import type { RouteLayer } from '../platform/express-router';

interface KnownRoute {
  readonly matches: MatchFunction<object>;
  readonly methods: string[];
}

/**
 * The methods each registered path accepts, read from Express's router once routes exist, so a wrong method on
 * a known path can answer 405 with an Allow header (Express itself answers 404).
 */
export class RouteTable {
  private routes?: KnownRoute[];

  constructor(private readonly readRouterStack: () => readonly RouteLayer[]) {}

  allowedMethods(path: string): string[] {
    this.routes ??= this.collect();
    const allowed = new Set<string>();
    for (const route of this.routes) {
      if (route.matches(path)) route.methods.forEach((method) => allowed.add(method));
    }
    if (allowed.has('GET')) allowed.add('HEAD');
    return [...allowed].sort();
  }

  private collect(): KnownRoute[] {
    const byPath = new Map<string, Set<string>>();
    for (const layer of this.readRouterStack()) {
      const route = layer.route;
      if (!route || typeof route.path !== 'string') continue;
      // Middleware mounted for every method (Nest registers it as a route) says nothing about the resource.
      if (Object.keys(route.methods).length >= METHODS.length) continue;
      const methods = byPath.get(route.path) ?? new Set<string>();
      Object.keys(route.methods)
        .filter((method) => method !== '_all')
        .forEach((method) => methods.add(method.toUpperCase()));
      byPath.set(route.path, methods);
    }
    return [...byPath].map(([path, methods]) => ({
      matches: match(path, { decode: false }),
      methods: [...methods],
    }));
  }
}
