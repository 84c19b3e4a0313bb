import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
  type S3Client,
} from '@aws-sdk/client-s3';
import { s3AdminClient, type S3TestServer } from './local-s3';
import { createTestApp, type TestApp } from './test-app';

export interface S3TestApp {
  readonly t: TestApp;
  readonly bucket: string;
  /** The test's own client, for looking at the bucket behind the app's back. */
  readonly admin: S3Client;
  /** Every key in the bucket, sorted. */
  keys(): Promise<string[]>;
  /** Closes the app, then empties and removes the bucket. */
  close(): Promise<void>;
}

/**
 * The real app on S3: a bucket of its own on `server` (named `<prefix>-<time>`), with the credentials the SDK's
 * default chain reads, as it would read a Lambda role's. `env` adds settings (or points `S3_ENDPOINT` elsewhere,
 * e.g. at a proxy in front of the server).
 */
export async function createS3TestApp(
  server: S3TestServer,
  prefix: string,
  env: Record<string, string> = {},
): Promise<S3TestApp> {
  const bucket = `${prefix}-${Date.now().toString(36)}`;
  const admin = s3AdminClient(server);
  await admin.send(new CreateBucketCommand({ Bucket: bucket }));
  process.env.AWS_ACCESS_KEY_ID = server.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = server.secretAccessKey;
  const keys = async () => {
    const page = await admin.send(new ListObjectsV2Command({ Bucket: bucket }));
    return (page.Contents ?? []).map((object) => object.Key ?? '').sort();
  };
  const t = await createTestApp({
    STORAGE_DRIVER: 's3',
    S3_BUCKET: bucket,
    S3_ENDPOINT: server.endpoint,
    S3_FORCE_PATH_STYLE: 'true',
    AWS_REGION: server.region,
    ...env,
  });
  return {
    t,
    bucket,
    admin,
    keys,
    close: async () => {
      await t.close();
      for (let remaining = await keys(); remaining.length > 0; remaining = await keys()) {
        await admin.send(
          new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: remaining.map((Key) => ({ Key })) } }),
        );
      }
      await admin.send(new DeleteBucketCommand({ Bucket: bucket }));
      admin.destroy();
    },
  };
}
