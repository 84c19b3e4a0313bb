import { Injectable, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import type { Request, Response } from 'express';
import multer, { MulterError } from 'multer';
import type { Observable } from 'rxjs';
import { AppError } from '../common/app-error';
import { AppConfig } from '../config/app-config';
import { lingerBeforeClosing } from '../platform/lingering-close';

export const UPLOAD_FIELD = 'file';
// Room for the multipart boundaries and part headers around a file of the maximum size.
const MULTIPART_OVERHEAD_BYTES = 16 * 1024;

/**
 * Parses the multipart body into memory with hard limits, answering with our own codes. The declared length is
 * checked first so an oversized body is refused before it is read; multer enforces the same limit on the bytes
 * actually received (chunked bodies, lying headers).
 */
@Injectable()
export class ImageUploadInterceptor implements NestInterceptor {
  private readonly parse: ReturnType<multer.Multer['single']>;

  constructor(private readonly config: AppConfig) {
    this.parse = multer({
      storage: multer.memoryStorage(),
      limits: {
        fileSize: config.MAX_UPLOAD_BYTES,
        files: 1,
        fields: 10,
        fieldSize: 1024,
        fieldNameSize: 100,
        parts: 11,
        headerPairs: 20,
      },
      defParamCharset: 'utf8',
    }).single(UPLOAD_FIELD);
  }

  async intercept(context: ExecutionContext, next: CallHandler): Promise<Observable<unknown>> {
    const req = context.switchToHttp().getRequest<Request>();
    const res = context.switchToHttp().getResponse<Response>();
    try {
      this.checkHeaders(req);
      const parsed = new Promise<void>((resolve, reject) => {
        this.parse(req, res, (error: unknown) => (error ? reject(this.translate(error)) : resolve()));
      });
      await Promise.race([parsed, this.overflowOf(req)]);
    } catch (error) {
      if (error instanceof AppError && error.code === 'PAYLOAD_TOO_LARGE') lingerBeforeClosing(req.socket);
      throw error;
    }
    if (!req.file) {
      throw new AppError('MISSING_FILE', `Send the image as a multipart part named "${UPLOAD_FIELD}".`);
    }
    return next.handle();
  }

  /**
   * Rejects as soon as more bytes arrive than any acceptable upload needs. multer also stops at the limit, but
   * only reports it once the client has finished sending, and a chunked body may never finish; answering here
   * (with Connection: close) ends the exchange instead.
   */
  private overflowOf(req: Request): Promise<never> {
    const limit = this.config.MAX_UPLOAD_BYTES + MULTIPART_OVERHEAD_BYTES;
    return new Promise<never>((_, reject) => {
      let received = 0;
      const count = (chunk: Buffer) => {
        received += chunk.length;
        if (received <= limit) return;
        req.off('data', count);
        reject(this.tooLarge());
      };
      req.on('data', count);
      req.once('end', () => req.off('data', count));
    });
  }

  private checkHeaders(req: Request): void {
    const declaredLength = req.headers['content-length'];
    const hasBody =
      declaredLength !== undefined ? declaredLength !== '0' : req.headers['transfer-encoding'] !== undefined;
    if (!hasBody)
      throw new AppError(
        'MISSING_FILE',
        `The request has no body; send multipart/form-data with a "${UPLOAD_FIELD}" part.`,
      );
    if (Number(declaredLength) > this.config.MAX_UPLOAD_BYTES + MULTIPART_OVERHEAD_BYTES) throw this.tooLarge();
    if (!req.is('multipart/form-data')) {
      throw new AppError('UNSUPPORTED_MEDIA_TYPE', `Send multipart/form-data with one part named "${UPLOAD_FIELD}".`);
    }
  }

  private translate(error: unknown): AppError {
    if (error instanceof MulterError) {
      switch (error.code) {
        case 'LIMIT_FILE_SIZE':
          return this.tooLarge();
        case 'LIMIT_FILE_COUNT':
          return new AppError('TOO_MANY_FILES', 'Send exactly one file per request.');
        case 'LIMIT_UNEXPECTED_FILE':
          return new AppError('MISSING_FILE', `The file must be in a part named "${UPLOAD_FIELD}".`);
        default:
          return new AppError('INVALID_MULTIPART', `The multipart body exceeds a limit (${error.code}).`);
      }
    }
    return new AppError('INVALID_MULTIPART', 'The multipart body is malformed or incomplete.');
  }

  private tooLarge(): AppError {
    // Closing is the only way to stop a client that keeps sending: Node would otherwise read and discard the
    // rest of the body to keep the connection alive.
    return new AppError('PAYLOAD_TOO_LARGE', `Images may be at most ${this.config.MAX_UPLOAD_BYTES} bytes.`, {
      Connection: 'close',
    });
  }
}
