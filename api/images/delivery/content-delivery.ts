import type { Readable } from 'node:stream';
import { Injectable } from '@nestjs/common';
import type { ByteRange } from '../image-storage';
import type { Representation, RepresentationSource } from './representation';
import { decideRead, needsMetadataFirst, type RequestConditions } from './request-conditions';

/** The one answer to a read of a stored representation; the controller only turns it into status and headers. */
export type Delivery =
  | { readonly kind: 'not-modified'; readonly representation: Representation }
  | { readonly kind: 'precondition-failed'; readonly header: string }
  | { readonly kind: 'range-not-satisfiable'; readonly representation: Representation }
  | { readonly kind: 'redirect'; readonly url: string }
  /** `body` is absent for HEAD. */
  | {
      readonly kind: 'send';
      readonly representation: Representation;
      readonly range?: ByteRange;
      readonly body?: Readable;
    }
  /** The client hung up before any byte was read; nothing was opened, nothing needs answering. */
  | { readonly kind: 'client-gone' };

/** Whether the client is still there to receive an answer (checked before storage opens any bytes). */
export type ClientPresence = () => boolean;

/**
 * Decides how to answer a GET or HEAD of any stored representation: preconditions, 304, ranges, redirects and
 * the bytes, with at most one metadata read. Knows RFC 9110's rules, not HTTP's transport.
 */
@Injectable()
export class ContentDelivery {
  async deliver(
    source: RepresentationSource,
    conditions: RequestConditions,
    clientPresent: ClientPresence,
  ): Promise<Delivery> {
    if (!clientPresent()) return { kind: 'client-gone' };
    if (!needsMetadataFirst(conditions)) return this.deliverUnconditional(source, clientPresent);

    const representation = (await source.head()) ?? throwError(source.notFound());
    const decision = decideRead(conditions, representation);
    switch (decision.kind) {
      case 'precondition-failed':
        return decision;
      case 'not-modified':
      case 'range-not-satisfiable':
        return { kind: decision.kind, representation };
    }
    const range = decision.kind === 'partial' ? decision.range : undefined;
    // HEAD is answered here: a redirect URL is signed for GET only, and the headers need no bytes.
    if (conditions.method === 'HEAD') return { kind: 'send', representation, range };
    const url = await source.redirectFor(representation);
    if (url) return { kind: 'redirect', url };
    if (!clientPresent()) return { kind: 'client-gone' };
    const body = (await source.openBytes(range)) ?? throwError(source.notFound());
    return held(body, clientPresent) ?? { kind: 'send', representation, range, body };
  }

  /** The common case, one storage call: metadata and bytes together. */
  private async deliverUnconditional(source: RepresentationSource, clientPresent: ClientPresence): Promise<Delivery> {
    const opened = (await source.open()) ?? throwError(source.notFound());
    // Rare (only representations too big to pass through) and cheaper than a metadata read before every GET.
    const url = await source.redirectFor(opened.representation).catch((error: unknown) => {
      opened.body.destroy();
      throw error;
    });
    if (url) {
      opened.body.destroy();
      return { kind: 'redirect', url };
    }
    return (
      held(opened.body, clientPresent) ?? { kind: 'send', representation: opened.representation, body: opened.body }
    );
  }
}

/** A client that left while storage was opening: close what was opened instead of handing it on. */
function held(body: Readable, clientPresent: ClientPresence): Delivery | undefined {
  if (clientPresent()) return undefined;
  body.destroy();
  return { kind: 'client-gone' };
}

function throwError(error: Error): never {
  throw error;
}
