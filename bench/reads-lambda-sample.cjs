'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- loads handlers the way the Lambda runtime does */
// One sample of the Lambda read bench, in a fresh process: WARM_UP invocations, then <invocations> timed ones of
// the same event. Usage: node --expose-gc bench/reads-lambda-sample.cjs <handler.js> <invocations> <result.json>
// <event.json> <expected bytes>
const { readFileSync, writeFileSync } = require('node:fs');

const [handlerPath, invocationsArg, resultPath, eventPath, expectedBytesArg] = process.argv.slice(2);
const WARM_UP = 200;
const invocations = Number(invocationsArg);
const event = readFileSync(eventPath, 'utf8');
const expectedBytes = Number(expectedBytesArg);
const context = (i) => ({
  awsRequestId: `req-${i}`,
  functionName: 'imagestore-bench',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:imagestore-bench',
  memoryLimitInMB: '1024',
  getRemainingTimeInMillis: () => 25000,
});

function check(result) {
  if (result.statusCode !== 200) throw new Error(`unexpected status ${result.statusCode}: ${result.body}`);
  if (!result.isBase64Encoded || Buffer.from(result.body, 'base64').length !== expectedBytes) {
    throw new Error('unexpected body');
  }
}

(async () => {
  const { handler } = require(handlerPath);
  for (let i = 0; i < WARM_UP; i++) check(await handler(JSON.parse(event), context(i)));
  const latencies = new Float64Array(invocations);
  for (let i = 0; i < invocations; i++) {
    const started = process.hrtime.bigint();
    check(await handler(JSON.parse(event), context(WARM_UP + i)));
    latencies[i] = Number(process.hrtime.bigint() - started) / 1e6;
  }
  const rssMb = process.memoryUsage().rss / 2 ** 20;
  global.gc?.();
  const heapMb = process.memoryUsage().heapUsed / 2 ** 20;
  latencies.sort();
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  writeFileSync(resultPath, JSON.stringify({ p50Ms: at(0.5), p99Ms: at(0.99), rssMb, heapMb }));
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
