/**
 * The environment cannot run the service (a storage directory that cannot be written, …): `main.ts` prints the
 * message, which names what to fix, and exits with EX_CONFIG (78) like a configuration error.
 */
export class StartupError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StartupError';
  }
}
