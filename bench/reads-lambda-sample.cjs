'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- loads handlers the way the Lambda runtime does */
// One sample of the Lambda read bench, in a fresh process: WARM_UP invocations, then <invocations> timed ones of
// the same event. Usage: node --expose-gc bench/reads-lambda-sample.cjs <handler.js> <invocations> <result.json>
// <event.json> <expected bytes>
const { readFileSync, writeFileSync } = require('node:fs');
const { lambdaContext: context, timeInvocations } = require('./lambda-invocations.cjs');

const [handlerPath, invocationsArg, resultPath, eventPath, expectedBytesArg] = process.argv.slice(2);
const WARM_UP = 200;
const invocations = Number(invocationsArg);
const event = readFileSync(eventPath, 'utf8');
const expectedBytes = Number(expectedBytesArg);

function check(result) {
  if (result.statusCode !== 200) throw new Error(`unexpected status ${result.statusCode}: ${result.body}`);
  if (!result.isBase64Encoded || Buffer.from(result.body, 'base64').length !== expectedBytes) {
    throw new Error('unexpected body');
  }
}

(async () => {
  const { handler } = require(handlerPath);
  for (let i = 0; i < WARM_UP; i++) check(await handler(JSON.parse(event), context(i)));
  const { p50Ms, p99Ms } = await timeInvocations(invocations, async (i) =>
    check(await handler(JSON.parse(event), context(WARM_UP + i))),
  );
  const rssMb = process.memoryUsage().rss / 2 ** 20;
  global.gc?.();
  const heapMb = process.memoryUsage().heapUsed / 2 ** 20;
  writeFileSync(resultPath, JSON.stringify({ p50Ms, p99Ms, rssMb, heapMb }));
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
