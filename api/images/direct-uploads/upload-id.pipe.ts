import { idParamPipe } from '../../common/id-param.pipe';

/** Upload ids are random UUIDv4s, checked before they become part of a staging key. */
export const UPLOAD_ID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

export const UploadIdPipe = idParamPipe(UPLOAD_ID_PATTERN, 'VALIDATION_FAILED', 'Upload ids are UUIDv4 strings.');
