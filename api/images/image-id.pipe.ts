import { Injectable, type PipeTransform } from '@nestjs/common';
import { AppError } from '../common/app-error';
import { IMAGE_ID_PATTERN } from './image-record';

/** Refuses malformed ids before any storage call, so they never reach a path or an object key. */
@Injectable()
export class ImageIdPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    const id = typeof value === 'string' && value.length <= 64 ? value.toLowerCase() : '';
    if (!IMAGE_ID_PATTERN.test(id)) throw new AppError('INVALID_IMAGE_ID', 'Image ids are UUIDv7 strings.');
    return id;
  }
}
