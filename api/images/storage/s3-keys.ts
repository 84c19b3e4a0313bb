/** The bucket's layout: one prefix per kind of object, so policies, lifecycle rules and listings can tell them apart. */

/** `images/<id>`: the image bytes, with the record as user metadata. The only prefix listing returns. */
export const IMAGES_PREFIX = 'images/';
/** `incoming/<uploadId>`: direct uploads waiting to be checked and adopted. */
export const INCOMING_PREFIX = 'incoming/';
/** `pending/<id>`: written before the image, removed once its outcome is known to be "stored". */
export const PENDING_PREFIX = 'pending/';
/** `deleting/<id>`: held by the one DELETE that gets to remove the image. */
export const DELETING_PREFIX = 'deleting/';
/** `idempotency-keys/<sha256>/<generation>`: each generation is created at most once. */
export const KEYS_PREFIX = 'idempotency-keys/';
/** `variants/<image id>/<name>`: sized copies; outside `images/`, so listing never sees one. */
export const VARIANTS_PREFIX = 'variants/';

export const variantKey = (imageId: string, name: string) => `${VARIANTS_PREFIX}${imageId}/${name}`;
