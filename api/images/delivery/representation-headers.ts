import { create as contentDisposition } from 'content-disposition';
import type { Representation } from './representation';

/**
 * Header values that belong to a representation wherever it is served from: by this service, or by the store
 * itself through a signed link, which must send the same ones.
 */
// A stored representation never changes, so clients may keep it; private because these are someone's photos.
export const CONTENT_CACHE_CONTROL = 'private, max-age=31536000, immutable';

export const contentDispositionOf = (representation: Pick<Representation, 'fileName'>) =>
  contentDisposition(representation.fileName, { type: 'inline' });
