import { idParamPipe } from '../common/id-param.pipe';
import type { MalformedPathMeaning } from '../common/http-error.filter';
import { IMAGE_ID_PATTERN } from './image-record';

const INVALID_ID_MESSAGE = 'Image ids are UUIDv7 strings.';

export const ImageIdPipe = idParamPipe(IMAGE_ID_PATTERN, 'INVALID_IMAGE_ID', INVALID_ID_MESSAGE);

/** Under `/images/<id>…` (not the upload routes) a segment the router cannot decode is the image id. */
export const MALFORMED_IMAGE_ID_PATH: MalformedPathMeaning = {
  matches: (path) => path.startsWith('/images/') && !path.startsWith('/images/uploads/'),
  code: 'INVALID_IMAGE_ID',
  message: INVALID_ID_MESSAGE,
};
