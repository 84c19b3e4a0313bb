// The page's markup as lit-html templates: every value is bound as text or an attribute, never parsed as HTML,
// so a hostile original name (`"><img src=x onerror=…>.png`) shows literally.
import { html, nothing, type TemplateResult } from 'lit-html';
import { ref } from 'lit-html/directives/ref.js';
import { repeat } from 'lit-html/directives/repeat.js';
import type { Image } from './api-types';
import { formatBytes, formatDate, nameOf, plural } from './format';
import { paintPlaceholder, sourceOf } from './image-sources';
import type { Upload } from './uploads';

export interface ViewState {
  readonly images: readonly Image[];
  readonly loaded: boolean;
  readonly loading: boolean;
  readonly hasMore: boolean;
  readonly listError: string | null;
  readonly needsKey: boolean;
  readonly selected: ReadonlySet<string>;
  readonly uploads: readonly Upload[];
  readonly deleted: ReadonlySet<string>;
  readonly detail: Image | null;
  readonly confirm: readonly Image[] | null;
  readonly deleting: boolean;
  readonly keyPrompt: { readonly rejected: boolean } | null;
  readonly dragging: boolean;
  readonly status: string;
  readonly notice: string;
}

export interface ViewActions {
  chooseFiles(): void;
  chooseFolder(): void;
  filesChosen(event: Event): void;
  folderChosen(event: Event): void;
  retryUpload(upload: Upload): void;
  clearUploads(): void;
  open(image: Image): void;
  closeDetail(): void;
  toggleSelected(image: Image, event: Event): void;
  clearSelection(): void;
  askDelete(images: readonly Image[]): void;
  confirmDelete(): void;
  cancelDelete(): void;
  copyLink(image: Image): void;
  loadMore(): void;
  submitKey(event: SubmitEvent): void;
  cancelKey(): void;
  askKey(): void;
  dialogRef(name: 'detail' | 'confirm' | 'key'): (element?: Element) => void;
  sentinelRef(element?: Element): void;
}

const GRID_PRESETS = ['small', 'thumb', 'medium'];
const DETAIL_PRESETS = ['large', 'medium', 'small'];
const GRID_SIZES = '(max-width: 40rem) 50vw, 14rem';
const DETAIL_SIZES = '(max-width: 60rem) 100vw, 60vw';

/** Canvas for the ThumbHash preview, painted once per element and placeholder. */
const placeholderRef = (placeholder: string | null | undefined) =>
  ref((element) => {
    if (!(element instanceof HTMLCanvasElement) || element.dataset.painted === placeholder) return;
    element.dataset.painted = placeholder ?? '';
    element.hidden = !paintPlaceholder(element, placeholder);
  });

const markLoaded = (event: Event) => (event.currentTarget as HTMLElement).classList.add('is-loaded');

function picture(image: Image, presets: readonly string[], sizes: string, lazy: boolean): TemplateResult {
  const source = sourceOf(image, presets);
  return html`<canvas class="placeholder" aria-hidden="true" ${placeholderRef(image.placeholder)}></canvas
    ><img
      src=${source.src}
      srcset=${source.srcset || nothing}
      sizes=${source.srcset ? sizes : nothing}
      width=${image.width}
      height=${image.height}
      alt=${nameOf(image)}
      loading=${lazy ? 'lazy' : 'eager'}
      decoding="async"
      @load=${markLoaded}
    />`;
}

function card(image: Image, state: ViewState, actions: ViewActions): TemplateResult {
  const selected = state.selected.has(image.id);
  const name = nameOf(image);
  return html`<li class="card ${selected ? 'is-selected' : ''}" data-id=${image.id}>
    <button type="button" class="card-open" @click=${() => actions.open(image)}>
      <span class="frame">${picture(image, GRID_PRESETS, GRID_SIZES, true)}</span>
      <span class="card-caption">${name}</span>
    </button>
    <label class="card-select">
      <input
        type="checkbox"
        .checked=${selected}
        aria-label=${`Select ${name}`}
        @change=${(event: Event) => actions.toggleSelected(image, event)}
      />
    </label>
  </li>`;
}

function uploadItem(upload: Upload, state: ViewState, actions: ViewActions): TemplateResult {
  const name = upload.file.name || 'Unnamed file';
  const percent = upload.total > 0 ? Math.round((upload.loaded / upload.total) * 100) : 0;
  let detail: string;
  switch (upload.state) {
    case 'queued':
      detail = `Queued · ${formatBytes(upload.file.size)}`;
      break;
    case 'uploading':
      detail = `${formatBytes(upload.loaded)} of ${formatBytes(upload.total)} · ${percent}%`;
      break;
    case 'waiting':
      detail = `Server busy, retrying in ${Math.max(1, Math.ceil(((upload.retryAt ?? 0) - Date.now()) / 1000))} s`;
      break;
    case 'done':
      detail = `Uploaded · ${formatBytes(upload.image?.size ?? upload.file.size)}`;
      break;
    case 'failed':
      detail = upload.error ?? 'Failed';
      break;
  }
  const image = upload.image && !state.deleted.has(upload.image.id) ? upload.image : null;
  return html`<li class="upload is-${upload.state}" data-state=${upload.state}>
    <span class="upload-thumb">
      ${
        image
          ? html`<button type="button" class="upload-open" @click=${() => actions.open(image)}>
              ${picture(image, ['thumb', 'small'], '3rem', false)}
            </button>`
          : html`<span class="upload-icon" aria-hidden="true">${upload.state === 'failed' ? '!' : '↑'}</span>`
      }
    </span>
    <span class="upload-body">
      <span class="upload-name">${name}</span>
      <progress
        max="100"
        value=${upload.state === 'done' ? 100 : percent}
        aria-label=${`Upload of ${name}`}
        ?hidden=${upload.state === 'failed'}
      ></progress>
      <span class="upload-detail" role=${upload.state === 'failed' ? 'alert' : nothing}>${detail}</span>
    </span>
    ${
      upload.state === 'failed'
        ? html`<button type="button" class="button" @click=${() => actions.retryUpload(upload)}>
            Retry<span class="visually-hidden"> ${name}</span>
          </button>`
        : nothing
    }
  </li>`;
}

function uploadsPanel(state: ViewState, actions: ViewActions): TemplateResult | typeof nothing {
  if (state.uploads.length === 0) return nothing;
  const failed = state.uploads.filter((upload) => upload.state === 'failed').length;
  const pending = state.uploads.filter((upload) => !['done', 'failed'].includes(upload.state)).length;
  const summary =
    pending > 0 ? `${plural(pending, 'file')} to go` : failed > 0 ? `${plural(failed, 'file')} failed` : 'All done';
  return html`<section class="panel uploads" aria-labelledby="uploads-heading">
    <div class="panel-head">
      <h2 id="uploads-heading">Uploads <span class="muted">· ${summary}</span></h2>
      <button type="button" class="button ghost" ?disabled=${pending > 0} @click=${actions.clearUploads}>
        Clear finished
      </button>
    </div>
    <ul class="upload-list">
      ${repeat(
        state.uploads,
        (upload) => upload.key,
        (upload) => uploadItem(upload, state, actions),
      )}
    </ul>
  </section>`;
}

function selectionBar(state: ViewState, actions: ViewActions): TemplateResult | typeof nothing {
  if (state.selected.size === 0) return nothing;
  const images = state.images.filter((image) => state.selected.has(image.id));
  return html`<div class="selection-bar" role="region" aria-label="Selection">
    <span>${plural(images.length, 'image')} selected</span>
    <span class="spacer"></span>
    <button type="button" class="button ghost" @click=${actions.clearSelection}>Clear selection</button>
    <button type="button" class="button danger" @click=${() => actions.askDelete(images)}>Delete selected</button>
  </div>`;
}

function gallery(state: ViewState, actions: ViewActions): TemplateResult {
  let body: TemplateResult;
  if (state.needsKey) {
    body = html`<div class="empty">
      <p>This gallery needs an API key.</p>
      <button type="button" class="button primary" @click=${actions.askKey}>Enter API key</button>
    </div>`;
  } else if (state.loaded && state.images.length === 0) {
    body = html`<div class="empty">
      <p class="empty-title">No images yet</p>
      <p>Drop images anywhere on this page, or use <strong>Upload images</strong> to pick some.</p>
    </div>`;
  } else {
    body = html`<ul class="grid" aria-label="Images">
      ${repeat(
        state.images,
        (image) => image.id,
        (image) => card(image, state, actions),
      )}
    </ul>`;
  }
  return html`<section class="gallery" aria-labelledby="gallery-heading" aria-busy=${state.loading ? 'true' : 'false'}>
    <h2 id="gallery-heading" class="visually-hidden">Images</h2>
    ${selectionBar(state, actions)} ${body}
    ${state.listError ? html`<p class="error" role="alert">${state.listError}</p>` : nothing}
    <div
      class="more"
      data-state=${state.loading ? 'loading' : state.hasMore || !state.loaded ? 'more' : 'end'}
      ${ref(actions.sentinelRef)}
    >
      ${state.loading ? html`<span class="muted">Loading…</span>` : nothing}
      ${
        state.hasMore && !state.loading
          ? html`<button type="button" class="button ghost" @click=${actions.loadMore}>Load more</button>`
          : nothing
      }
    </div>
  </section>`;
}

function detailDialog(state: ViewState, actions: ViewActions): TemplateResult {
  const image = state.detail;
  return html`<dialog
    class="dialog detail"
    aria-labelledby="detail-title"
    ${ref(actions.dialogRef('detail'))}
    @close=${actions.closeDetail}
  >
    ${
      image
        ? html`<div class="detail-head">
              <h2 id="detail-title">${nameOf(image)}</h2>
              <button type="button" class="icon-button" aria-label="Close" @click=${actions.closeDetail}>✕</button>
            </div>
            <div class="detail-body">
              <figure class="detail-figure">${picture(image, DETAIL_PRESETS, DETAIL_SIZES, false)}</figure>
              <div class="detail-info">
                <dl class="facts">
                  <dt>Dimensions</dt>
                  <dd>${image.width} × ${image.height} px</dd>
                  <dt>Size</dt>
                  <dd>${formatBytes(image.size)}</dd>
                  <dt>Type</dt>
                  <dd>${image.contentType}</dd>
                  <dt>Created</dt>
                  <dd><time datetime=${image.createdAt}>${formatDate(image.createdAt)}</time></dd>
                  <dt>Original name</dt>
                  <dd class="original-name">${image.originalName ?? '—'}</dd>
                  <dt>SHA-256</dt>
                  <dd><code class="hash">${image.sha256}</code></dd>
                  <dt>ID</dt>
                  <dd><code>${image.id}</code></dd>
                </dl>
                <div class="detail-actions">
                  <a class="button primary" href=${image.links.content} download>Download original</a>
                  <button type="button" class="button" @click=${() => actions.copyLink(image)}>Copy link</button>
                  <button type="button" class="button danger" @click=${() => actions.askDelete([image])}>
                    Delete…
                  </button>
                </div>
                <p class="notice" role="status">${state.notice}</p>
              </div>
            </div>`
        : nothing
    }
  </dialog>`;
}

function confirmDialog(state: ViewState, actions: ViewActions): TemplateResult {
  const images = state.confirm ?? [];
  const title = images.length === 1 ? `Delete “${nameOf(images[0]!)}”?` : `Delete ${plural(images.length, 'image')}?`;
  return html`<dialog
    class="dialog confirm"
    role="alertdialog"
    aria-labelledby="confirm-title"
    aria-describedby="confirm-text"
    ${ref(actions.dialogRef('confirm'))}
    @cancel=${actions.cancelDelete}
  >
    <h2 id="confirm-title">${title}</h2>
    <p id="confirm-text">This removes the ${images.length === 1 ? 'image' : 'images'} for good.</p>
    <div class="dialog-actions">
      <button type="button" class="button" autofocus ?disabled=${state.deleting} @click=${actions.cancelDelete}>
        Cancel
      </button>
      <button type="button" class="button danger" ?disabled=${state.deleting} @click=${actions.confirmDelete}>
        ${state.deleting ? 'Deleting…' : 'Delete'}
      </button>
    </div>
  </dialog>`;
}

function keyDialog(state: ViewState, actions: ViewActions): TemplateResult {
  return html`<dialog
    class="dialog key"
    aria-labelledby="key-title"
    ${ref(actions.dialogRef('key'))}
    @cancel=${actions.cancelKey}
  >
    <form method="dialog" @submit=${actions.submitKey}>
      <h2 id="key-title">API key needed</h2>
      <p>This stage requires an API key. It is kept in this tab only and sent as <code>x-api-key</code>.</p>
      ${
        state.keyPrompt?.rejected
          ? html`<p class="error" role="alert">That key was not accepted. Check it and try again.</p>`
          : nothing
      }
      <label class="field">
        <span>API key</span>
        <input name="key" type="password" autocomplete="off" spellcheck="false" required />
      </label>
      <div class="dialog-actions">
        <button type="button" class="button" @click=${actions.cancelKey}>Cancel</button>
        <button type="submit" class="button primary">Use key</button>
      </div>
    </form>
  </dialog>`;
}

export function page(state: ViewState, actions: ViewActions): TemplateResult {
  return html`<header class="topbar">
      <h1 class="brand"><span class="brand-mark" aria-hidden="true"></span>imagestore</h1>
      <div class="topbar-actions">
        <button type="button" class="button primary" @click=${actions.chooseFiles}>Upload images</button>
        <button type="button" class="button" @click=${actions.chooseFolder}>Upload a folder</button>
        <input
          id="file-input"
          class="visually-hidden"
          type="file"
          multiple
          accept="image/*"
          tabindex="-1"
          aria-label="Choose images to upload"
          @change=${actions.filesChosen}
        />
        <input
          id="folder-input"
          class="visually-hidden"
          type="file"
          webkitdirectory
          tabindex="-1"
          aria-label="Choose a folder to upload"
          @change=${actions.folderChosen}
        />
      </div>
    </header>
    <main class="content">
      <p class="hint">Drop images or folders anywhere on this page to upload them.</p>
      ${uploadsPanel(state, actions)} ${gallery(state, actions)}
    </main>
    <div class="drop-overlay ${state.dragging ? 'is-active' : ''}" aria-hidden="true">
      <p>Drop to upload</p>
    </div>
    <div class="visually-hidden" role="status" aria-live="polite" id="live-status">${state.status}</div>
    ${detailDialog(state, actions)} ${confirmDialog(state, actions)} ${keyDialog(state, actions)}`;
}
