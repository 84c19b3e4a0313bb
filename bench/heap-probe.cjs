'use strict';
// Preloaded (`node --expose-gc -r bench/heap-probe.cjs …`) only into servers a bench starts: on the message
// "heap" over the IPC channel, answers the live heap after a full GC. Production servers have no such channel,
// so the service itself needs no debug route for it.
if (process.send) {
  process.on('message', (message) => {
    if (message !== 'heap') return;
    global.gc?.();
    process.send(process.memoryUsage());
  });
  // The channel must not keep a server alive that was asked to stop.
  process.channel?.unref();
}
