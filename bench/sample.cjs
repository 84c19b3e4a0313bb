'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- loads handlers the way the Lambda runtime does */
// One benchmark sample, always in a fresh process: load a handler, time the first response from process start,
// then time many warm invocations. Usage: node bench/sample.cjs <handler.js> <invocations> <result.json> <event.json>
// The event comes from the tests' own builder (api/dev/api-gateway-events.ts), written by bench/run.mjs.
const { readFileSync, writeFileSync } = require('node:fs');
const { lambdaContext: context, timeInvocations } = require('./lambda-invocations.cjs');

const [handlerPath, invocationsArg, resultPath, eventPath] = process.argv.slice(2);
const invocations = Number(invocationsArg);
const event = readFileSync(eventPath, 'utf8');

const listEvent = () => JSON.parse(event);

function check(result) {
  if (result.statusCode !== 200) throw new Error(`unexpected status ${result.statusCode}: ${result.body}`);
  if (!Array.isArray(JSON.parse(result.body).items)) throw new Error('unexpected body');
}

(async () => {
  const { handler } = require(handlerPath);
  check(await handler(listEvent(), context(0)));
  // performance.now() counts from process start (timeOrigin), so this includes Node's own start-up.
  const coldStartMs = performance.now();
  // CPU time (user + system) of this process up to the same point: on a shared machine, wall time also holds
  // the time spent waiting for a core, which CPU time does not.
  const { user, system } = process.cpuUsage();
  const coldCpuMs = (user + system) / 1000;
  const rssFirstMb = process.memoryUsage().rss / 2 ** 20;
  // Live JS heap after a full GC: the figure that shows a leak (RSS also holds memory V8 and malloc keep).
  global.gc?.();
  const heapFirstMb = process.memoryUsage().heapUsed / 2 ** 20;
  const { p50Ms, p99Ms } = await timeInvocations(invocations, async (i) =>
    check(await handler(listEvent(), context(i + 1))),
  );
  const rssAfterMb = process.memoryUsage().rss / 2 ** 20;
  global.gc?.();
  const heapAfterMb = process.memoryUsage().heapUsed / 2 ** 20;
  writeFileSync(
    resultPath,
    JSON.stringify({
      coldStartMs,
      coldCpuMs,
      rssFirstMb,
      rssAfterMb,
      heapFirstMb,
      heapAfterMb,
      p50Ms,
      p99Ms,
      invocations,
    }),
  );
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
