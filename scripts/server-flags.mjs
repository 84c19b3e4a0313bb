// Node flags for the long-running server (`npm start`), in one place so `npm run bench:uploads` measures what runs.
//
// --initial-old-space-size: with the defaults, V8 sizes the old generation for the ~30 MB the app keeps live
// (Nest, Express, the SDKs) and then, once an upload's buffers have passed through, starts incremental marking
// after almost every upload: 70-80 full mark-compacts per 100 12 MP uploads against 8-12 for a bare sharp script.
// Letting the old generation reach 128 MB first brings that to the bare script's rate, for ~5 MB more live heap
// (docs/performance.md "Uploads"). Not for Lambda: Node refuses the flag in NODE_OPTIONS, and V8 counts it in
// the code cache's flag check.
export const SERVER_NODE_FLAGS = ['--initial-old-space-size=128'];
