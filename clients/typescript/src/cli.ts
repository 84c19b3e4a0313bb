#!/usr/bin/env node
// `imagestore`: bulk uploads, listing, download and deletion against an imagestore API.
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Command, InvalidArgumentError, Option } from 'commander';
import { createImagestoreClient, orThrow, type ImagestoreClient } from './client.ts';
import { ImagestoreError } from './errors.ts';
import { bulkUpload, collectFiles } from './cli/bulk-upload.ts';
import { uploadProgressView } from './cli/progress.ts';
import packageJson from '../package.json' with { type: 'json' };

interface GlobalOptions {
  url: string;
  apiKey?: string;
  json?: boolean;
}

const positiveInt = (value: string) => {
  if (!/^[1-9][0-9]*$/.test(value)) throw new InvalidArgumentError('must be a positive whole number');
  return Number(value);
};

const program = new Command('imagestore')
  .description('Upload, list, download and delete images in an imagestore service.')
  .version(packageJson.version)
  .addOption(new Option('--url <url>', 'API base URL, stage included').env('IMAGESTORE_URL').makeOptionMandatory())
  .addOption(new Option('--api-key <key>', 'x-api-key for API Gateway deployments').env('IMAGESTORE_API_KEY'))
  .option('--json', 'machine-readable output on stdout');

const globals = () => program.opts<GlobalOptions>();
const print = (line: string): void => void process.stdout.write(`${line}\n`);
const printJson = (value: unknown) => print(JSON.stringify(value, null, 2));

function clientFor(options: GlobalOptions): ImagestoreClient {
  return createImagestoreClient({
    baseUrl: options.url,
    apiKey: options.apiKey,
    retry: {
      onRetry: ({ delayMs, response }) =>
        process.stderr.write(`server busy (${response.status}); retrying in ${Math.ceil(delayMs / 1000)} s\n`),
    },
  });
}

program
  .command('upload')
  .description('Upload files; folders are walked recursively')
  .argument('<paths...>', 'files or folders')
  .option('-c, --concurrency <n>', 'files in flight at once', positiveInt, 4)
  .action(async (paths: string[], options: { concurrency: number }) => {
    const global = globals();
    const files = await collectFiles(paths);
    const stop = new AbortController();
    const abort = new AbortController();
    // First Ctrl-C: finish the files in flight, start no more. Second: abort those too.
    const onSigint = () => {
      if (stop.signal.aborted) abort.abort(new Error('interrupted'));
      else {
        process.stderr.write('\nstopping after the files in flight (Ctrl-C again to abort them)\n');
        stop.abort();
      }
    };
    process.on('SIGINT', onSigint);
    const view = uploadProgressView(files, {
      tty: process.stderr.isTTY === true,
      quiet: global.json === true,
      write: (line) => process.stderr.write(`${line}\n`),
    });
    const startedAt = Date.now();
    const report = await bulkUpload(clientFor(global), files, {
      concurrency: options.concurrency,
      stop: stop.signal,
      signal: abort.signal,
      onFileProgress: (delta) => view.fileProgress(delta),
      onFileDone: (file, outcome) => view.fileDone(file, outcome),
    });
    view.stop();
    process.off('SIGINT', onSigint);
    if (global.json) {
      printJson({
        uploaded: report.uploaded.map(({ file, image }) => ({ file, ...image })),
        failed: report.failed,
        notStarted: report.notStarted,
      });
    } else {
      const seconds = ((Date.now() - startedAt) / 1000).toFixed(1);
      print(`uploaded ${report.uploaded.length} of ${files.length} files in ${seconds} s`);
      if (report.failed.length > 0) {
        print(`${report.failed.length} failed:`);
        for (const failure of report.failed) {
          print(`  ${failure.file}: ${failure.code ?? 'ERROR'} (${failure.status ?? 'no answer'}) ${failure.message}`);
        }
      }
      if (report.notStarted.length > 0) print(`${report.notStarted.length} not started (stopped)`);
    }
    if (stop.signal.aborted) process.exitCode = 130;
    else if (report.failed.length > 0) process.exitCode = 1;
  });

program
  .command('list')
  .description('List images, oldest first')
  .option('-l, --limit <n>', 'page size', positiveInt)
  .option('--cursor <cursor>', 'continue from a nextCursor')
  .option('-a, --all', 'follow nextCursor to the end')
  .action(async (options: { limit?: number; cursor?: string; all?: boolean }) => {
    const client = clientFor(globals());
    const items = [];
    let cursor = options.cursor;
    let nextCursor: string | null;
    do {
      const page = orThrow(await client.api.GET('/images', { params: { query: { limit: options.limit, cursor } } }));
      items.push(...page.items);
      nextCursor = page.nextCursor;
      cursor = nextCursor ?? undefined;
    } while (options.all && cursor);
    if (globals().json) return printJson({ items, nextCursor });
    for (const image of items) {
      print(
        `${image.id}  ${image.contentType}  ${image.width}x${image.height}  ${image.size}  ${image.originalName ?? ''}`,
      );
    }
    if (nextCursor) print(`more: --cursor ${nextCursor}`);
  });

program
  .command('get')
  .description('Show an image’s metadata, or download its bytes with -o')
  .argument('<id>')
  .option('-o, --output <file>', 'write the image bytes here')
  .action(async (id: string, options: { output?: string }) => {
    const client = clientFor(globals());
    const image = orThrow(await client.api.GET('/images/{id}', { params: { path: { id } } }));
    if (options.output) {
      const result = await client.api.GET('/images/{id}/content', { params: { path: { id } }, parseAs: 'stream' });
      // Large S3 images answer 307 to a presigned URL.
      const response =
        result.response.status === 307 ? await fetch(result.response.headers.get('location')!) : result.response;
      if (!response.ok || !response.body) throw await ImagestoreError.from(response);
      await pipeline(Readable.fromWeb(response.body as never), createWriteStream(options.output));
    }
    if (globals().json) return printJson(image);
    print(`${image.id}  ${image.contentType}  ${image.width}x${image.height}  ${image.size} bytes`);
    if (options.output) print(`saved to ${options.output}`);
  });

program
  .command('delete')
  .description('Delete images')
  .argument('<ids...>')
  .action(async (ids: string[]) => {
    const client = clientFor(globals());
    const results = [];
    for (const id of ids) {
      const { response, error } = await client.api.DELETE('/images/{id}', { params: { path: { id } } });
      const failure = response.ok ? undefined : ImagestoreError.fromBody(response.status, error);
      results.push({ id, deleted: response.ok, ...(failure ? { code: failure.code, message: failure.message } : {}) });
    }
    if (globals().json) printJson(results);
    else
      for (const result of results)
        print(result.deleted ? `deleted ${result.id}` : `failed ${result.id}: ${result.message}`);
    if (results.some((result) => !result.deleted)) process.exitCode = 1;
  });

program.parseAsync().catch((error: unknown) => {
  const message =
    error instanceof ImagestoreError ? error.message : error instanceof Error ? error.message : String(error);
  process.stderr.write(`imagestore: ${message}\n`);
  process.exitCode = 1;
});
