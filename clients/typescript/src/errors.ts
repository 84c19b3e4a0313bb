import type { components } from './generated/openapi.ts';

export type ErrorEnvelope = components['schemas']['ErrorEnvelopeDto'];
export type ErrorCode = ErrorEnvelope['code'];

/** A refusal from the service, carrying its envelope's stable `code` (undefined when the answer had no envelope). */
export class ImagestoreError extends Error {
  override readonly name = 'ImagestoreError';
  readonly status: number;
  readonly code: ErrorCode | undefined;
  readonly requestId: string | undefined;
  readonly envelope: ErrorEnvelope | undefined;

  constructor(status: number, envelope: ErrorEnvelope | undefined, fallbackMessage: string) {
    super(envelope ? `${envelope.code}: ${envelope.message}` : fallbackMessage);
    this.status = status;
    this.envelope = envelope;
    this.code = envelope?.code;
    this.requestId = envelope?.requestId;
  }

  /** Builds the error from a non-2xx response, reading its body (the envelope when it is one). */
  static async from(response: Response): Promise<ImagestoreError> {
    const text = await response.text().catch(() => '');
    return ImagestoreError.fromBody(response.status, text, response.statusText);
  }

  static fromBody(status: number, body: unknown, statusText = ''): ImagestoreError {
    const envelope = asEnvelope(typeof body === 'string' ? safeJson(body) : body);
    const excerpt = typeof body === 'string' ? body.slice(0, 200) : '';
    return new ImagestoreError(status, envelope, `HTTP ${status} ${statusText}${excerpt ? `: ${excerpt}` : ''}`.trim());
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function asEnvelope(value: unknown): ErrorEnvelope | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const candidate = value as Partial<ErrorEnvelope>;
  return typeof candidate.code === 'string' && typeof candidate.message === 'string'
    ? (candidate as ErrorEnvelope)
    : undefined;
}
