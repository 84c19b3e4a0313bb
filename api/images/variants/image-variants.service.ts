import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppError } from '../../common/app-error';
import { AppConfig } from '../../config/app-config';
import type { VariantPreset } from '../../config/variant-presets';
import type { ContentLinkSigner } from '../content-link-signer';
import type { Representation, RepresentationSource } from '../delivery/representation';
import { CONTENT_CACHE_CONTROL, contentDispositionOf } from '../delivery/representation-headers';
import { imageNotFoundError } from '../image-errors';
import { ImageProcessor } from '../image-processor';
import type { ImageRecord } from '../image-record';
import { ImageStorage, type ByteRange } from '../image-storage';
import { STORAGE_BACKEND, type StorageBackend } from '../storage/image-storage.factory';
import { negotiateFormat } from './variant-format';
import { VARIANT_CONTENT_TYPES, variantName, type VariantFormat, type VariantRecord } from './variant-record';

export interface VariantRequest {
  /** The `format` query parameter, already validated; absent means negotiate from `accept`. */
  readonly format?: VariantFormat;
  readonly accept?: string;
}

export interface ResolvedVariant {
  readonly source: RepresentationSource;
  /** The format came from Accept, so the answer must say `Vary: Accept`. */
  readonly negotiated: boolean;
}

interface LoadedOriginal {
  readonly record: ImageRecord;
  readonly bytes: Buffer;
}

interface MadeVariant {
  readonly record: VariantRecord;
  readonly bytes: Buffer;
}

/**
 * Sized copies of stored images, made once and then served like originals. A variant is generated on the first
 * request that finds it missing, inside the representation source's own `head`/`open`, so conditional and ranged
 * requests are decided by the same ContentDelivery code as /content, whether the bytes were stored or just made.
 */
@Injectable()
export class ImageVariantsService {
  private readonly logger = new Logger(ImageVariantsService.name);
  private readonly presetsByName: ReadonlyMap<string, VariantPreset>;
  /** One generation per variant at a time in this process; concurrent first requests share its bytes. */
  private readonly inFlight = new Map<string, Promise<MadeVariant | undefined>>();
  private readonly contentLinks?: ContentLinkSigner;

  constructor(
    private readonly storage: ImageStorage,
    private readonly processor: ImageProcessor,
    private readonly config: AppConfig,
    @Inject(STORAGE_BACKEND) backend: StorageBackend,
  ) {
    this.contentLinks = backend.contentLinks;
    this.presetsByName = new Map(config.variantPresets.map((preset) => [preset.name, preset]));
  }

  get presets(): readonly VariantPreset[] {
    return this.config.variantPresets;
  }

  /**
   * What GET /images/{id}/variants/{preset} serves. An explicit format needs no storage call here; a negotiated
   * one reads the original's metadata (type and animation decide the format).
   */
  async variant(id: string, presetName: string, request: VariantRequest): Promise<ResolvedVariant> {
    const preset = this.presetsByName.get(presetName);
    if (!preset) {
      throw new AppError(
        'VARIANT_NOT_FOUND',
        `No variant preset named ${JSON.stringify(presetName.slice(0, 40))}; the presets are ${this.presets.map((p) => p.name).join(', ')}.`,
      );
    }
    if (request.format) return { source: this.sourceFor(id, preset, request.format), negotiated: false };
    const original = (await this.storage.head(id)) ?? throwError(imageNotFoundError(id));
    return { source: this.sourceFor(id, preset, negotiateFormat(request.accept, original)), negotiated: true };
  }

  /**
   * The eager presets for a just-stored image, from the bytes already in memory, in the format a current browser
   * negotiates. A failure costs the upload nothing: it is logged and the variant is made on first request.
   */
  async makeEager(record: ImageRecord, bytes: Buffer): Promise<void> {
    const format = negotiateFormat(CURRENT_BROWSER_ACCEPT, record);
    for (const preset of this.config.eagerVariantPresets) {
      try {
        await this.generate(record.id, preset, format, { record, bytes });
      } catch (error) {
        this.logger.warn(
          { err: error, imageId: record.id, variant: variantName(preset.name, format) },
          'eager variant failed; it will be made on first request',
        );
      }
    }
  }

  private sourceFor(id: string, preset: VariantPreset, format: VariantFormat): RepresentationSource {
    const name = variantName(preset.name, format);
    // Set when this request made the variant (or joined the one making it): later reads use those bytes, so a
    // variant just made is served even from a store that is slow to show a new object.
    let made: MadeVariant | undefined;
    const generate = async () => (made ??= await this.generate(id, preset, format));
    return {
      head: async () => {
        const record = (await this.storage.headVariant(id, name)) ?? (await generate())?.record;
        return record && representationOf(id, record);
      },
      open: async () => {
        const stored = await this.storage.openVariant(id, name);
        if (stored) return { representation: representationOf(id, stored.record), body: stored.body };
        const fresh = await generate();
        return fresh && { representation: representationOf(id, fresh.record), body: Readable.from([fresh.bytes]) };
      },
      openBytes: async (range?: ByteRange) =>
        made ? Readable.from([bytesIn(made.bytes, range)]) : this.storage.openVariantBytes(id, name, range),
      redirectFor: (representation) => this.link(id, name, representation),
      notFound: () => imageNotFoundError(id),
    };
  }

  private generate(
    id: string,
    preset: VariantPreset,
    format: VariantFormat,
    original?: LoadedOriginal,
  ): Promise<MadeVariant | undefined> {
    const key = `${id}/${variantName(preset.name, format)}`;
    let running = this.inFlight.get(key);
    if (!running) {
      running = this.make(id, preset, format, original).finally(() => this.inFlight.delete(key));
      this.inFlight.set(key, running);
    }
    return running;
  }

  /** `undefined` when the image does not exist, or was deleted while its variant was being made. */
  private async make(
    id: string,
    preset: VariantPreset,
    format: VariantFormat,
    original?: LoadedOriginal,
  ): Promise<MadeVariant | undefined> {
    const source = original ?? (await this.readOriginal(id));
    if (!source) return undefined;
    const variant = await this.processor.makeVariant(source.bytes, {
      size: preset.size,
      format,
      animatedSource: source.record.animated === true,
    });
    const record: VariantRecord = {
      name: variantName(preset.name, format),
      contentType: VARIANT_CONTENT_TYPES[format],
      size: variant.bytes.length,
      width: variant.width,
      height: variant.height,
      sha256: createHash('sha256').update(variant.bytes).digest('hex'),
      createdAt: new Date().toISOString(),
    };
    const stored = await this.storage.putVariant(id, record, Readable.from([variant.bytes]));
    return stored ? { record, bytes: variant.bytes } : undefined;
  }

  private async readOriginal(id: string): Promise<LoadedOriginal | undefined> {
    const opened = await this.storage.open(id);
    // toArray() destroys the stream if reading fails.
    return opened && { record: opened.record, bytes: Buffer.concat(await opened.body.toArray()) };
  }

  /** As for originals: bytes too big for the path (Lambda's 6 MB) come from a short-lived store URL. */
  private async link(id: string, name: string, representation: Representation): Promise<string | undefined> {
    if (!this.contentLinks || representation.size <= this.config.CONTENT_REDIRECT_BYTES) return undefined;
    return this.contentLinks.signVariantLink(id, name, {
      expiresSeconds: this.config.CONTENT_URL_EXPIRES_SECONDS,
      contentType: representation.contentType,
      contentDisposition: contentDispositionOf(representation),
      cacheControl: CONTENT_CACHE_CONTROL,
    });
  }
}

/** What Chrome, Firefox and Safari send for an `<img>` (the part that matters here). */
const CURRENT_BROWSER_ACCEPT = 'image/avif,image/webp,*/*;q=0.8';

/** The download name is built from the id and the variant's name (`<id>-thumb.webp`), nothing a client sent. */
const representationOf = (id: string, record: VariantRecord): Representation => ({
  contentType: record.contentType,
  size: record.size,
  sha256: record.sha256,
  createdAt: record.createdAt,
  fileName: `${id}-${record.name}`,
});

const bytesIn = (bytes: Buffer, range?: ByteRange) => (range ? bytes.subarray(range.start, range.end + 1) : bytes);

function throwError(error: Error): never {
  throw error;
}
