/**
 * Signals that close the server gracefully. Nest's default list also has SIGUSR2, which Node tools use for
 * diagnostics (heap snapshots, `--heapsnapshot-signal`, profilers): sending it must not stop the service.
 */
export const SHUTDOWN_SIGNALS: string[] = ['SIGTERM', 'SIGINT', 'SIGHUP'];
