import { idParamPipe } from '../common/id-param.pipe';
import { IMAGE_ID_PATTERN } from './image-record';

export const ImageIdPipe = idParamPipe(IMAGE_ID_PATTERN, 'INVALID_IMAGE_ID', 'Image ids are UUIDv7 strings.');
