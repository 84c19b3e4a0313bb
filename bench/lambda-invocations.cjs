'use strict';
// What the Lambda sample scripts share: the context the runtime passes, and timing warm invocations.

/** A Lambda context as the runtime passes it (what the handler and Powertools read). */
const lambdaContext = (i) => ({
  awsRequestId: `req-${i}`,
  functionName: 'imagestore-bench',
  functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:imagestore-bench',
  memoryLimitInMB: '1024',
  getRemainingTimeInMillis: () => 25000,
});

/** `count` invocations of `invoke(i)` one after another; their p50 and p99 in milliseconds. */
async function timeInvocations(count, invoke) {
  const latencies = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const started = process.hrtime.bigint();
    await invoke(i);
    latencies[i] = Number(process.hrtime.bigint() - started) / 1e6;
  }
  latencies.sort();
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return { p50Ms: at(0.5), p99Ms: at(0.99) };
}

module.exports = { lambdaContext, timeInvocations };
