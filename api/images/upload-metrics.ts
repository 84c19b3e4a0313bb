/**
 * What the images feature counts about uploads, as a seam like DeliveryMetrics: the observability module provides
 * it (EMF in Lambda, nothing elsewhere), so this feature never imports observability.
 */
export abstract class UploadMetrics {
  abstract imageStored(bytes: number): void;
  /** `reason` is the refusal's stable error code. */
  abstract uploadRefused(reason: string): void;
}
