/**
 * What the images feature counts about delivery, as a seam: the observability module provides it (EMF in
 * Lambda, nothing elsewhere), so this feature never imports observability.
 */
export abstract class DeliveryMetrics {
  /** A delete whose CDN purge failed: the image stays cached until its links expire. */
  abstract purgeFailed(): void;
}
