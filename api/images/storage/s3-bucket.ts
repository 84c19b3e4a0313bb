import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { Logger } from '@nestjs/common';
import {
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type _Object,
} from '@aws-sdk/client-s3';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import type { ByteRange } from '../image-storage';
import { classifyS3Error, isPreconditionFailed } from './s3-errors';

export interface S3BucketOptions {
  readonly bucket: string;
  readonly region: string;
  /** An S3-compatible endpoint (MinIO, Ceph RGW); AWS when absent. */
  readonly endpoint?: string;
  readonly forcePathStyle: boolean;
  readonly connectTimeoutMs: number;
  /** Per attempt, until the response headers arrive. */
  readonly requestTimeoutMs: number;
  readonly maxAttempts: number;
  /** Explicit keys for tests; otherwise the SDK's default chain (environment, Lambda role, profile). */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** Instruments the SDK client where it is built (tracing in Lambda). */
  readonly instrumentClient?: <T>(client: T) => T;
}

const MAX_DEADLINE_MS = 20_000;
const neverRethrow = () => false;

/**
 * The one S3 client of the process and the bucket it serves, with every call under one overall deadline and its
 * failures mapped to the storage port's errors. The S3 adapters (images, idempotency keys, presigned access)
 * are built on it; nothing else talks to the AWS SDK.
 */
export class S3Bucket {
  readonly client: S3Client;
  readonly name: string;
  /** Bounds one call, retries included, so a request ends well inside API Gateway's 29 s. */
  readonly deadlineMs: number;

  constructor(options: S3BucketOptions) {
    this.name = options.bucket;
    this.deadlineMs = Math.min(
      (options.connectTimeoutMs + options.requestTimeoutMs) * options.maxAttempts + 1000,
      MAX_DEADLINE_MS,
    );
    const sdkLogger = new Logger('S3');
    const agentOptions = { keepAlive: true, maxSockets: 64 };
    const instrument = options.instrumentClient ?? ((client) => client);
    this.client = instrument(
      new S3Client({
        region: options.region,
        endpoint: options.endpoint,
        forcePathStyle: options.forcePathStyle,
        maxAttempts: options.maxAttempts,
        credentials: options.credentials,
        // Without a logger of its own the SDK writes some warnings straight to stderr, outside the JSON log.
        logger: {
          trace: () => undefined,
          debug: () => undefined,
          info: () => undefined,
          warn: (...content: unknown[]) => sdkLogger.warn(content.map(String).join(' ')),
          error: (...content: unknown[]) => sdkLogger.error(content.map(String).join(' ')),
        },
        requestHandler: new NodeHttpHandler({
          connectionTimeout: options.connectTimeoutMs,
          requestTimeout: options.requestTimeoutMs,
          throwOnRequestTimeout: true,
          // A body that stalls mid-stream (after the headers) would otherwise hold the response open forever.
          socketTimeout: options.requestTimeoutMs,
          httpAgent: new HttpAgent(agentOptions),
          httpsAgent: new HttpsAgent(agentOptions),
        }),
        // Third-party servers (Ceph RGW 16, older MinIO) refuse the aws-chunked CRC32 trailers newer SDKs send by
        // default; the SHA-256 we send explicitly still protects every write.
        ...(options.endpoint
          ? { requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' }
          : {}),
      }),
    );
  }

  /**
   * Runs one SDK call under the overall deadline and maps its failure: a missing object becomes `undefined`,
   * everything else a storage error the edge knows how to answer.
   */
  async call<T>(
    send: (abortSignal: AbortSignal) => Promise<T>,
    operation: string,
    {
      missingIsFailure = false,
      rethrow = neverRethrow,
    }: { missingIsFailure?: boolean; rethrow?: (error: unknown) => boolean } = {},
  ): Promise<T | undefined> {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), this.deadlineMs);
    try {
      return await send(controller.signal);
    } catch (error) {
      if (rethrow(error)) throw error;
      const failure = classifyS3Error(error, operation, controller.signal.aborted);
      if (failure === 'missing' && !missingIsFailure) return undefined;
      throw failure === 'missing' ? classifyS3Error(error, operation, false, true) : failure;
    } finally {
      clearTimeout(timer);
    }
  }

  getObject(key: string, operation: string, range?: ByteRange) {
    return this.call(
      (abortSignal) =>
        this.client.send(
          new GetObjectCommand({
            Bucket: this.name,
            Key: key,
            ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}),
          }),
          { abortSignal },
        ),
      operation,
    );
  }

  headObject(key: string, operation: string) {
    return this.call(
      (abortSignal) => this.client.send(new HeadObjectCommand({ Bucket: this.name, Key: key }), { abortSignal }),
      operation,
    );
  }

  async exists(key: string, operation: string): Promise<boolean> {
    return (await this.headObject(key, operation)) !== undefined;
  }

  /** Whether `key` is missing or was written more than `ageMs` ago. */
  async isOlderThan(key: string, ageMs: number, operation: string): Promise<boolean> {
    const output = await this.headObject(key, operation);
    return output === undefined || Date.now() - (output.LastModified?.getTime() ?? Date.now()) > ageMs;
  }

  async putEmpty(key: string, operation: string): Promise<void> {
    await this.call(
      (abortSignal) =>
        this.client.send(new PutObjectCommand({ Bucket: this.name, Key: key, Body: '' }), { abortSignal }),
      operation,
    );
  }

  /** `false` when the key exists already (If-None-Match: *, answered 412). */
  async createIfAbsent(key: string, operation: string, body = ''): Promise<boolean> {
    try {
      await this.call(
        (abortSignal) =>
          this.client.send(new PutObjectCommand({ Bucket: this.name, Key: key, Body: body, IfNoneMatch: '*' }), {
            abortSignal,
          }),
        operation,
        { rethrow: isPreconditionFailed },
      );
      return true;
    } catch (error) {
      if (isPreconditionFailed(error)) return false;
      throw error;
    }
  }

  async deleteKey(key: string, operation: string): Promise<void> {
    await this.call(
      (abortSignal) => this.client.send(new DeleteObjectCommand({ Bucket: this.name, Key: key }), { abortSignal }),
      operation,
    );
  }

  listPage(prefix: string, maxKeys: number, continuationToken?: string) {
    return this.call(
      (abortSignal) =>
        this.client.send(
          new ListObjectsV2Command({
            Bucket: this.name,
            Prefix: prefix,
            MaxKeys: maxKeys,
            ContinuationToken: continuationToken,
          }),
          { abortSignal },
        ),
      'list',
    );
  }

  async listKeys(prefix: string, maxKeys: number): Promise<_Object[]> {
    return (await this.listPage(prefix, maxKeys))?.Contents ?? [];
  }

  async checkReady(): Promise<void> {
    await this.call(
      (abortSignal) => this.client.send(new HeadBucketCommand({ Bucket: this.name }), { abortSignal }),
      'checkReady',
      { missingIsFailure: true },
    );
  }
}
