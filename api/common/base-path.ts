import type { Request, Response } from 'express';

/**
 * The public prefix in front of the app's routes (an API Gateway stage such as `/dev`), so links and Location
 * headers work from where the client really is. Set per request by the entry point; empty when served directly.
 */
export function basePathOf(req: Request): string {
  const basePath = (req.res as Response | undefined)?.locals.basePath;
  return typeof basePath === 'string' ? basePath : '';
}

export function setBasePath(res: Response, basePath: string): void {
  res.locals.basePath = basePath;
}
