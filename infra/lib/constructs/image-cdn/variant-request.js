// CloudFront Function (cloudfront-js-2.0, viewer request) on the variants behaviour. No modules, no I/O, and at
// most 10 KB: it only turns the viewer's variant URL and Accept header into the stored object's key, so the
// cache key carries the chosen format and an AVIF is never served to a client that did not ask for one.
//   /<id>/variants/<preset>[?format=…][&fallback=jpeg|png][&animated=1]  →  /<id>/<preset>.<extension>
// which is the application's stored name (api: variantName), so the bucket origin finds what the app stored.
// The query string (signature included) is left alone; the cache policy keeps it out of the cache key.
var VARIANT_PATH = /^\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/variants\/([a-z0-9-]{1,32})$/;
var FORMATS = ['avif', 'webp', 'jpeg', 'png'];
var EXTENSIONS = { avif: 'avif', webp: 'webp', jpeg: 'jpg', png: 'png' };
// What a client that takes neither AVIF nor WebP gets: the original's family, which only the link knows.
var FALLBACKS = ['jpeg', 'png'];

function queryValue(request, name) {
  var parameter = request.querystring[name];
  return parameter ? parameter.value : undefined;
}

// Whether Accept names the media type with a non-zero quality. Wildcards do not count: `*/*` comes from
// clients that often cannot decode AVIF or WebP.
function accepts(accept, mediaType) {
  var ranges = accept.toLowerCase().split(',');
  for (var i = 0; i < ranges.length; i++) {
    var parts = ranges[i].split(';');
    if (parts[0].trim() !== mediaType) continue;
    var quality = 1;
    for (var j = 1; j < parts.length; j++) {
      var parameter = parts[j].trim();
      if (parameter.indexOf('q=') === 0) quality = Number(parameter.slice(2));
    }
    return quality > 0;
  }
  return false;
}

function negotiatedFormat(request) {
  var header = request.headers.accept;
  var accept = header ? header.value : '';
  // AVIF keeps one frame only: an animated image stays animated as WebP, as the application negotiates it.
  if (queryValue(request, 'animated') !== '1' && accepts(accept, 'image/avif')) return 'avif';
  if (accepts(accept, 'image/webp')) return 'webp';
  var fallback = queryValue(request, 'fallback');
  return FALLBACKS.indexOf(fallback) >= 0 ? fallback : 'jpeg';
}

function refusal(statusCode, error, code, message) {
  return {
    statusCode: statusCode,
    statusDescription: error,
    headers: {
      'content-type': { value: 'application/json' },
      'cache-control': { value: 'no-store' },
      'x-content-type-options': { value: 'nosniff' },
    },
    body: {
      encoding: 'text',
      data: JSON.stringify({ statusCode: statusCode, error: error, code: code, message: message }),
    },
  };
}

function notFound() {
  return refusal(404, 'Not Found', 'ROUTE_NOT_FOUND', 'No such variant URL.');
}

// eslint-disable-next-line no-unused-vars -- CloudFront calls it by name
function handler(event) {
  var request = event.request;
  var match = VARIANT_PATH.exec(request.uri);
  // Nothing else is a variant: answer here rather than send a guess to the origins.
  if (!match) return notFound();
  var explicit = queryValue(request, 'format');
  if (explicit !== undefined && FORMATS.indexOf(explicit) < 0) {
    return refusal(400, 'Bad Request', 'VALIDATION_FAILED', 'format must be one of ' + FORMATS.join(', '));
  }
  request.uri = '/' + match[1] + '/' + match[2] + '.' + EXTENSIONS[explicit || negotiatedFormat(request)];
  return request;
}
