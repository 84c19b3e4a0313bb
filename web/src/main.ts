import './styles.css';
import { GalleryApp } from './gallery-app';
import { DEFAULT_QUEUE_OPTIONS } from './uploads';

/** Limits the server writes into the page as <meta> (no inline script under the page's CSP). */
function metaNumber(name: string): number | null {
  const content = document.querySelector<HTMLMetaElement>(`meta[name="${name}"]`)?.content;
  const value = content ? Number(content) : Number.NaN;
  return Number.isFinite(value) && value > 0 ? value : null;
}

const root = document.getElementById('app');
if (root) {
  const maxUploadBytes = metaNumber('imagestore:max-upload-bytes');
  new GalleryApp({
    root,
    queue: {
      ...DEFAULT_QUEUE_OPTIONS,
      maxUploadBytes: maxUploadBytes ?? DEFAULT_QUEUE_OPTIONS.maxUploadBytes,
      directAboveBytes: metaNumber('imagestore:direct-upload-above-bytes'),
    },
  }).start();
}
