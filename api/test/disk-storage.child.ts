/**
 * Runs in a child process under a low `ulimit -n` (see disk.image-storage.spec.ts): lists a store concurrently,
 * then exhausts the descriptors on purpose and reports what the adapter throws. Prints one JSON line.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { DiskImageStorage } from '../images/storage/disk.image-storage';
import { chunked, sampleImage } from './storage-fixtures';

async function main(): Promise<void> {
  const [root, imageCount, listers] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4])];
  const storage = new DiskImageStorage(root);
  for (let i = 0; i < imageCount; i++) {
    const { record, bytes } = sampleImage({ size: 64 });
    await storage.put(record, chunked(bytes));
  }
  const lists = await Promise.allSettled(Array.from({ length: listers }, () => storage.list({ limit: 100 })));
  const listed = lists.map((result) =>
    result.status === 'fulfilled' ? result.value.items.length : `${(result.reason as Error).name}: ${result.reason}`,
  );

  if (listers === 0) return;
  const held: FileHandle[] = [];
  try {
    for (;;) held.push(await open(process.execPath, 'r'));
  } catch {
    // EMFILE: every descriptor is taken now.
  }
  const errorName = (promise: Promise<unknown>) =>
    promise.then(
      () => 'resolved',
      (error: Error) => `${error.name} ${error.message}`,
    );
  const exhausted = {
    list: await errorName(storage.list({ limit: 10 })),
    head: await errorName(storage.head(sampleImage().record.id)),
    put: await errorName(storage.put(sampleImage().record, chunked(Buffer.alloc(10)))),
  };
  await Promise.all(held.map((handle) => handle.close()));
  const recovered = (await storage.list({ limit: 5 })).items.length;
  process.stdout.write(`${JSON.stringify({ listed, exhausted, recovered })}\n`);
}

void main();
