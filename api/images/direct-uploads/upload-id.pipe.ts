import { Injectable, type PipeTransform } from '@nestjs/common';
import { AppError } from '../../common/app-error';

export const UPLOAD_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Upload ids are random UUIDv4s, checked before they become part of a staging key. */
@Injectable()
export class UploadIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    const id = typeof value === 'string' && value.length <= 64 ? value.toLowerCase() : '';
    if (!UPLOAD_ID_PATTERN.test(id)) throw new AppError('VALIDATION_FAILED', 'Upload ids are UUIDv4 strings.');
    return id;
  }
}
