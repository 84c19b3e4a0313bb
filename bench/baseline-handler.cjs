'use strict';
/* eslint-disable @typescript-eslint/no-require-imports -- a plain CommonJS handler, as the baseline must be */
// The bare baseline: what any Node.js Lambda that talks to S3 pays. It loads the S3 client (unbundled, as a
// plain handler file would) and answers the same JSON shape as GET /images.
const { S3Client } = require('@aws-sdk/client-s3');

const s3 = new S3Client({ region: process.env.AWS_REGION || 'us-east-1' });

exports.handler = async (event) => ({
  statusCode: 200,
  multiValueHeaders: { 'content-type': ['application/json; charset=utf-8'] },
  body: JSON.stringify({ items: [], nextCursor: null, region: s3 ? undefined : null }),
  isBase64Encoded: false,
  requestId: event.requestContext && event.requestContext.requestId,
});
