import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { S3Client } from '@aws-sdk/client-s3';
import type { S3BucketOptions } from '../images/storage/s3-bucket';

const run = promisify(execFile);
const SCRIPT = resolve(__dirname, '../../scripts/local-s3.sh');
/** A first start on a clean machine installs Ceph from apt (~35 s) before booting (~2 s). */
const START_TIMEOUT_MS = 5 * 60_000;

export interface S3TestServer {
  readonly endpoint: string;
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** A bucket that exists; suites may also create their own. */
  readonly bucket: string;
}

export type LocalS3 =
  | { readonly available: true; readonly server: S3TestServer; release(): Promise<void> }
  | { readonly available: false; readonly reason: string; release(): Promise<void> };

/**
 * An S3 endpoint for integration tests.
 *
 * - `S3_TEST_ENDPOINT` set (CI with a MinIO service, or any server of your own): use it, with
 *   `S3_TEST_ACCESS_KEY_ID`, `S3_TEST_SECRET_ACCESS_KEY`, `S3_TEST_REGION`, `S3_TEST_BUCKET`. Never stopped.
 * - Otherwise the local RGW of `scripts/local-s3.sh`: started if it is not running, and left running after
 *   the tests (stop it with `scripts/local-s3.sh stop`). Never stopped here, because several test files share
 *   it and run in parallel: one stopping it would break the others; and the next run starts in milliseconds.
 *
 * When no server can be had, suites are skipped with a loud warning, unless `REQUIRE_S3_TESTS=1`, which
 * makes that an error.
 */
export async function acquireLocalS3(): Promise<LocalS3> {
  const noop = async () => undefined;
  const env = process.env;
  if (env.S3_TEST_ENDPOINT) {
    const server: S3TestServer = {
      endpoint: env.S3_TEST_ENDPOINT,
      region: env.S3_TEST_REGION ?? 'us-east-1',
      accessKeyId: required('S3_TEST_ACCESS_KEY_ID'),
      secretAccessKey: required('S3_TEST_SECRET_ACCESS_KEY'),
      bucket: env.S3_TEST_BUCKET ?? 'imagestore-test',
    };
    return { available: true, server, release: noop };
  }

  try {
    // Idempotent and serialised by the script's lock: prints the environment whether it started or found it.
    const { stdout } = await script('start');
    return { available: true, server: parseEnv(stdout), release: noop };
  } catch (error) {
    const detail = (error as { stderr?: string }).stderr?.trim().split('\n').slice(-5).join('\n') ?? String(error);
    const reason = `scripts/local-s3.sh could not start an S3 server:\n${detail}`;
    if (env.REQUIRE_S3_TESTS === '1') {
      throw new Error(`${reason}\n(REQUIRE_S3_TESTS=1, so this fails the run)`, { cause: error });
    }
    console.warn(
      [
        '',
        '!'.repeat(100),
        '!!! S3 INTEGRATION TESTS SKIPPED',
        `!!! ${reason.replaceAll('\n', '\n!!! ')}`,
        '!!! Run as root (the script installs Ceph from apt), set S3_TEST_ENDPOINT, or set REQUIRE_S3_TESTS=1 to fail.',
        '!'.repeat(100),
        '',
      ].join('\n'),
    );
    return { available: false, reason, release: noop };
  }
}

function script(command: 'start') {
  return run('bash', [SCRIPT, command], { timeout: START_TIMEOUT_MS, maxBuffer: 1024 * 1024 });
}

function parseEnv(stdout: string): S3TestServer {
  const values = new Map<string, string>();
  for (const line of stdout.split('\n')) {
    const match = /^([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (match) values.set(match[1], match[2]);
  }
  const get = (key: string) => {
    const value = values.get(key);
    if (!value) throw new Error(`scripts/local-s3.sh printed no ${key}`);
    return value;
  };
  return {
    endpoint: get('S3_ENDPOINT'),
    region: get('AWS_REGION'),
    accessKeyId: get('AWS_ACCESS_KEY_ID'),
    secretAccessKey: get('AWS_SECRET_ACCESS_KEY'),
    bucket: get('S3_BUCKET'),
  };
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`S3_TEST_ENDPOINT is set, so ${name} must be too`);
  return value;
}

/** A plain SDK client on the test server, for arranging and inspecting buckets behind the adapter's back. */
export function s3AdminClient(server: S3TestServer): S3Client {
  return new S3Client({
    endpoint: server.endpoint,
    region: server.region,
    forcePathStyle: true,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** What an adapter under test needs to reach `bucket` on the test server, with short timeouts. */
export function s3TestOptions(server: S3TestServer, bucket: string): S3BucketOptions {
  return {
    bucket,
    endpoint: server.endpoint,
    forcePathStyle: true,
    region: server.region,
    credentials: { accessKeyId: server.accessKeyId, secretAccessKey: server.secretAccessKey },
    requestTimeoutMs: 5_000,
    connectTimeoutMs: 1_000,
    maxAttempts: 2,
  };
}

/**
 * The pid of the local RGW of `scripts/local-s3.sh` (same LOCAL_S3_DIR), for tests that freeze it with SIGSTOP;
 * `undefined` for any other server, whose process is not ours to stop.
 */
export function localGatewayPid(): number | undefined {
  const dir = process.env.LOCAL_S3_DIR ?? resolve(__dirname, '../../.data/local-s3');
  try {
    const pid = Number(readFileSync(`${dir}/run/client.rgw.local.pid`, 'utf8').trim());
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    return cmdline.includes('radosgw') && cmdline.includes(dir) ? pid : undefined;
  } catch {
    return undefined;
  }
}
