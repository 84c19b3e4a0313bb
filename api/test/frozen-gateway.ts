import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { vi } from 'vitest';

/**
 * Freezes the local RGW (SIGSTOP) at the moment an S3 client in this process sends the PUT of an image, i.e.
 * after everything before it (the pending marker) was written. `resume()` sends SIGCONT and removes the hook.
 */
export function freezeGatewayOnImagePut(pid: number, imageKey = (key: string) => key.startsWith('images/')) {
  const send = S3Client.prototype.send as (...args: unknown[]) => Promise<unknown>;
  const spy = vi.spyOn(S3Client.prototype, 'send').mockImplementation(function (this: S3Client, ...args: unknown[]) {
    const command = args[0];
    if (command instanceof PutObjectCommand && imageKey(command.input.Key ?? '')) process.kill(pid, 'SIGSTOP');
    return send.apply(this, args);
  } as never);
  return {
    resume: () => {
      process.kill(pid, 'SIGCONT');
      spy.mockRestore();
    },
  };
}
