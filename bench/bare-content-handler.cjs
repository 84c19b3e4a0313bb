'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- a plain CommonJS handler, as the baseline must be */
// The bare baseline of the Lambda read bench: a handler that reads one stored file (CONTENT_FILE) per invocation
// and answers it base64-encoded, with the same kind of headers as GET /images/{id}/content.
const { readFile } = require('node:fs/promises');

const file = process.env.CONTENT_FILE;

exports.handler = async () => {
  const bytes = await readFile(file);
  return {
    statusCode: 200,
    multiValueHeaders: {
      'content-type': [process.env.CONTENT_TYPE],
      'content-length': [String(bytes.length)],
      etag: [`"${process.env.CONTENT_ETAG}"`],
      'cache-control': ['private, max-age=31536000, immutable'],
    },
    body: bytes.toString('base64'),
    isBase64Encoded: true,
  };
};
