import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lambdaContext, restApiEvent } from '../dev/api-gateway-events';
import { bodyOf, headersOf } from '../lambda/result';

// Runs the real handler as if inside Lambda (AWS_LAMBDA_FUNCTION_NAME set) and reads what it prints: Powertools
// log lines and CloudWatch EMF metric blobs. X-Ray is off here: there is no daemon to send segments to.
type Handler = (typeof import('../lambda/handler'))['handler'];
type Line = Record<string, unknown>;

let handler: Handler;
let storageDir: string;
let jpeg: Buffer;
const printed: string[] = [];
const originalWrite = {
  stdout: process.stdout.write.bind(process.stdout),
  stderr: process.stderr.write.bind(process.stderr),
};

const lines = (): Line[] =>
  printed
    .join('')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Line);
const logLines = () => lines().filter((line) => typeof line.level === 'string' && !('_aws' in line));
const metricBlobs = () => lines().filter((line) => '_aws' in line);

async function invoke(method: string, body?: { bytes: Buffer; type: string; field?: string }) {
  let payload: Buffer | undefined;
  const headers: Record<string, string> = {};
  if (body) {
    const form = new FormData();
    form.append(body.field ?? 'file', new Blob([new Uint8Array(body.bytes)], { type: body.type }), 'photo.jpg');
    const request = new Request('http://localhost/', { method: 'POST', body: form });
    payload = Buffer.from(await request.arrayBuffer());
    headers['content-type'] = request.headers.get('content-type') ?? '';
    headers['content-length'] = String(payload.length);
  }
  const event = restApiEvent({ method, path: '/dev/images', headers, body: payload }, 'dev');
  const context = lambdaContext('imagestore-test');
  const result = await handler(event, context as never);
  return { event, context, result, requestId: headersOf(result)['x-request-id']?.[0] };
}

beforeAll(async () => {
  storageDir = await mkdtemp(join(tmpdir(), 'imagestore-telemetry-'));
  Object.assign(process.env, {
    AWS_LAMBDA_FUNCTION_NAME: 'imagestore-test',
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand', // set by Lambda; Powertools reports cold starts only then
    POWERTOOLS_TRACE_ENABLED: 'false',
    POWERTOOLS_SERVICE_NAME: 'imagestore',
    POWERTOOLS_METRICS_NAMESPACE: 'imagestore',
    LOG_LEVEL: 'info',
    LOG_FORMAT: 'json',
    STORAGE_DIR: storageDir,
    CURSOR_SECRET: 'a-test-secret-that-is-long-enough-for-hmac',
  });
  // Both streams: Powertools prints warnings and errors on stderr; Lambda collects both.
  for (const stream of [process.stdout, process.stderr]) {
    stream.write = ((chunk: string | Uint8Array) => {
      printed.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
      return true;
    }) as typeof process.stdout.write;
  }
  ({ handler } = await import('../lambda/handler.js'));
  jpeg = await sharp({ create: { width: 32, height: 32, channels: 3, background: '#3366aa' } })
    .jpeg()
    .toBuffer();
});

afterAll(async () => {
  process.stdout.write = originalWrite.stdout;
  process.stderr.write = originalWrite.stderr;
  await rm(storageDir, { recursive: true, force: true });
});

describe('telemetry in Lambda', () => {
  let first: Awaited<ReturnType<typeof invoke>>;
  let upload: Awaited<ReturnType<typeof invoke>>;
  let refused: Awaited<ReturnType<typeof invoke>>;

  beforeAll(async () => {
    first = await invoke('GET');
    upload = await invoke('POST', { bytes: jpeg, type: 'image/jpeg' });
    refused = await invoke('POST', { bytes: Buffer.from('%PDF-1.7 not an image'), type: 'application/pdf' });
    // Refused by the body parser, before the handler runs: still an upload refused.
    await invoke('POST', { bytes: jpeg, type: 'image/jpeg', field: 'photo' });
  });

  it('logs through Powertools with invocation keys and the app request id as correlation id', () => {
    const requestLine = (requestId: string | undefined) =>
      logLines().find((line) => line.correlation_id === requestId && line.message === 'request completed');
    const cold = requestLine(first.requestId);
    expect(cold).toMatchObject({
      level: 'INFO',
      service: 'imagestore',
      cold_start: true,
      function_name: 'imagestore-test',
      function_request_id: first.context.awsRequestId,
      apigw_request_id: first.event.requestContext.requestId,
      requestId: first.requestId,
      req: { method: 'GET', path: '/images' },
      res: { statusCode: 200 },
    });
    expect(requestLine(upload.requestId)).toMatchObject({
      cold_start: false,
      function_request_id: upload.context.awsRequestId,
      apigw_request_id: upload.event.requestContext.requestId,
    });
    const refusedLine = logLines().find(
      (line) =>
        line.correlation_id === refused.requestId &&
        (line.res as { statusCode?: number } | undefined)?.statusCode === 415,
    );
    expect(refusedLine).toMatchObject({ level: 'WARN', code: 'UNSUPPORTED_MEDIA_TYPE' });
  });

  it('never writes image bytes or secrets into the logs', () => {
    const all = printed.join('');
    const base64 = jpeg.toString('base64');
    for (let offset = 0; offset + 40 <= base64.length; offset += 40) {
      expect(all.includes(base64.slice(offset, offset + 40))).toBe(false);
    }
    expect(all).not.toContain('a-test-secret-that-is-long-enough-for-hmac');
    expect(all).not.toContain('%PDF-1.7');
  });

  it('emits the contract metrics as EMF: ColdStart, ImagesUploaded, BytesStored, UploadsRefused by reason', () => {
    const metric = (name: string) =>
      metricBlobs().filter((blob) =>
        (blob._aws as { CloudWatchMetrics: { Metrics: { Name: string }[] }[] }).CloudWatchMetrics[0]?.Metrics.some(
          (m) => m.Name === name,
        ),
      );
    const definition = (blob: Line | undefined) =>
      (blob?._aws as { CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: unknown[] }[] })
        ?.CloudWatchMetrics[0];

    expect(metric('ColdStart')).toHaveLength(1);
    expect(definition(metric('ColdStart')[0])).toMatchObject({ Namespace: 'imagestore', Dimensions: [['service']] });
    expect(metric('ColdStart')[0]).toMatchObject({ service: 'imagestore', ColdStart: 1 });

    const uploaded = metric('ImagesUploaded');
    expect(uploaded).toHaveLength(1);
    const size = (JSON.parse(bodyOf(upload.result).toString()) as { size: number }).size;
    expect(uploaded[0]).toMatchObject({ service: 'imagestore', ImagesUploaded: 1, BytesStored: size });
    expect(definition(uploaded[0])?.Metrics).toEqual(
      expect.arrayContaining([
        { Name: 'ImagesUploaded', Unit: 'Count' },
        { Name: 'BytesStored', Unit: 'Bytes' },
      ]),
    );

    const refusals = metric('UploadsRefused');
    expect(refusals).toHaveLength(2);
    expect(refusals[0]).toMatchObject({ service: 'imagestore', reason: 'UNSUPPORTED_MEDIA_TYPE', UploadsRefused: 1 });
    expect(refusals[1]).toMatchObject({ reason: 'MISSING_FILE', UploadsRefused: 1 });
    expect(definition(refusals[0])?.Dimensions[0]).toEqual(expect.arrayContaining(['service', 'reason']));
  });
});
