import type { Readable } from 'node:stream';
import type { ByteRange } from '../image-storage';

/**
 * One stored, immutable set of bytes a client can fetch: an original today, a sized variant tomorrow. What the
 * delivery logic needs to answer conditional and ranged requests, whichever representation it is.
 */
export interface Representation {
  readonly contentType: string;
  readonly size: number;
  /** Hex SHA-256 of the bytes; the strong entity tag. */
  readonly sha256: string;
  /** ISO 8601; the Last-Modified date. */
  readonly createdAt: string;
  /** The download name; built from ids only, never from anything a client sent. */
  readonly fileName: string;
}

export interface OpenedRepresentation {
  readonly representation: Representation;
  readonly body: Readable;
}

/**
 * Where one representation's metadata and bytes come from. Implementations read the metadata at most once per
 * call, so a request costs one metadata read whichever path it takes.
 */
export interface RepresentationSource {
  /** Metadata only; `undefined` when it does not exist. */
  head(): Promise<Representation | undefined>;
  /** Metadata and bytes together, for a GET that needs no decision before the bytes (one storage call). */
  open(): Promise<OpenedRepresentation | undefined>;
  /** The bytes (or a range of them) of the representation `head()` returned; no second metadata read. */
  openBytes(range?: ByteRange): Promise<Readable | undefined>;
  /** A URL to fetch the bytes from instead of through this service, or `undefined` to stream them. */
  redirectFor(representation: Representation): Promise<string | undefined>;
  /** The error to answer when the representation does not exist. */
  notFound(): Error;
}
