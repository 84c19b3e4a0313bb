import { AppError } from '../common/app-error';

export const imageNotFoundError = (id: string) => new AppError('IMAGE_NOT_FOUND', `No image with id ${id}.`);
