import { Readable } from 'node:stream';
import { Test } from '@nestjs/testing';
import { describe, expect, it, vi } from 'vitest';
import type { ImageRecord } from '../images/image-record';
import { ImageStorage } from '../images/image-storage';
import { AppMetrics, NoopAppMetrics } from './app-metrics';
import { isRunningInLambda } from './lambda-environment';
import { routeLogsThroughPowertoolsInLambda } from './log-routing';
import { ObservabilityModule } from './observability.module';
import { lambdaTelemetry } from './telemetry';
import { TracedImageStorage, type SubsegmentTracer } from './traced-image-storage';
import { instrumentS3Client, traceStorageCalls } from './tracing';
import type { VariantRecord } from '../images/variants/variant-record';

const record = { id: '01936f8e-7b3c-7c1e-9a4e-3f2b1c0d9e8f', size: 3 } as ImageRecord;

class FakeStorage extends ImageStorage {
  put = vi.fn(async () => undefined);
  head = vi.fn(async () => record);
  open = vi.fn(async () => undefined);
  openBytes = vi.fn(async () => undefined);
  delete = vi.fn(async () => true);
  list = vi.fn(async () => ({ items: [record] }));
  checkReady = vi.fn(async () => {
    throw new Error('down');
  });
  maxPutMs = 1000;
  findIdempotencyKey = vi.fn(async () => undefined);
  claimIdempotencyKey = vi.fn(async () => true);
  releaseIdempotencyKey = vi.fn(async () => undefined);
  sweep = vi.fn(async () => ({ abandonedUploads: 0, expiredKeys: 0 }));
  putVariant = vi.fn(async () => true);
  headVariant = vi.fn(async () => undefined);
  openVariant = vi.fn(async () => undefined);
  openVariantBytes = vi.fn(async () => undefined);
}

describe('observability outside Lambda', () => {
  it('is off: no Powertools instances, storage and S3 client untouched, logs unchanged, no-op metrics', async () => {
    expect(isRunningInLambda()).toBe(false);
    expect(lambdaTelemetry()).toBeUndefined();
    const storage = new FakeStorage();
    expect(traceStorageCalls(storage)).toBe(storage);
    const client = { send: () => undefined };
    expect(instrumentS3Client(client)).toBe(client);
    const options = { level: 'info' };
    expect(routeLogsThroughPowertoolsInLambda(options)).toBe(options);
    const moduleRef = await Test.createTestingModule({ imports: [ObservabilityModule] }).compile();
    expect(moduleRef.get(AppMetrics)).toBeInstanceOf(NoopAppMetrics);
  });

  it('recognises Lambda by AWS_LAMBDA_FUNCTION_NAME', () => {
    expect(isRunningInLambda({ AWS_LAMBDA_FUNCTION_NAME: 'imagestore-dev' })).toBe(true);
    expect(isRunningInLambda({})).toBe(false);
  });
});

describe(TracedImageStorage.name, () => {
  it('opens exactly one subsegment per storage call and passes results and errors through', async () => {
    const names: string[] = [];
    const tracer: SubsegmentTracer = {
      trace: (name, fn) => {
        names.push(name);
        return fn();
      },
    };
    const inner = new FakeStorage();
    const traced = new TracedImageStorage(inner, tracer);
    await traced.put(record, Readable.from([Buffer.from('abc')]));
    expect(await traced.head(record.id)).toBe(record);
    expect(await traced.open(record.id)).toBeUndefined();
    expect(await traced.openBytes(record.id, { start: 0, end: 1 })).toBeUndefined();
    expect(await traced.delete(record.id)).toBe(true);
    expect((await traced.list({ limit: 5 })).items).toEqual([record]);
    await expect(traced.checkReady()).rejects.toThrow('down');
    const variant = { name: 'thumb.webp' } as VariantRecord;
    expect(await traced.putVariant(record.id, variant, Readable.from([Buffer.from('v')]))).toBe(true);
    expect(await traced.headVariant(record.id, 'thumb.webp')).toBeUndefined();
    expect(await traced.openVariant(record.id, 'thumb.webp')).toBeUndefined();
    expect(await traced.openVariantBytes(record.id, 'thumb.webp', { start: 0, end: 0 })).toBeUndefined();
    expect(names).toEqual([
      'storage.put',
      'storage.head',
      'storage.open',
      'storage.openBytes',
      'storage.delete',
      'storage.list',
      'storage.checkReady',
      'storage.putVariant',
      'storage.headVariant',
      'storage.openVariant',
      'storage.openVariantBytes',
    ]);
    expect(inner.openBytes).toHaveBeenCalledWith(record.id, { start: 0, end: 1 });
    expect(inner.openVariantBytes).toHaveBeenCalledWith(record.id, 'thumb.webp', { start: 0, end: 0 });
  });
});
