// The gallery's state and what each action does to it; templates.ts turns the state into markup.
import { render } from 'lit-html';
import { ApiError, ImagesApi, resolve } from './api';
import { ApiKeyCancelled, ApiKeys } from './api-keys';
import type { Image } from './api-types';
import { filesOfDrop, filesOfFolderInput } from './dropped-files';
import { plural } from './format';
import { page, type ViewActions, type ViewState } from './templates';
import { UploadQueue, type Upload, type UploadQueueOptions } from './uploads';

export const PAGE_SIZE = 24;

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type DialogName = 'detail' | 'confirm' | 'key';

export interface GalleryOptions {
  readonly root: HTMLElement;
  readonly queue: UploadQueueOptions;
}

export class GalleryApp implements ViewActions {
  private readonly state: Mutable<ViewState> = {
    images: [],
    loaded: false,
    loading: false,
    hasMore: false,
    listError: null,
    needsKey: false,
    selected: new Set(),
    uploads: [],
    deleted: new Set(),
    detail: null,
    confirm: null,
    deleting: false,
    keyPrompt: null,
    dragging: false,
    status: '',
    notice: '',
  };
  private readonly keys = new ApiKeys((request) => this.update({ keyPrompt: request }));
  private readonly api = new ImagesApi(this.keys);
  private readonly queue: UploadQueue;
  private readonly dialogs = new Map<DialogName, HTMLDialogElement>();
  private readonly dialogRefs = new Map<DialogName, (element?: Element) => void>();
  private cursor: string | null = null;
  private sentinel?: Element;
  private readonly observer = new IntersectionObserver(
    (entries) => {
      if (entries.some((entry) => entry.isIntersecting)) this.loadMore();
    },
    { rootMargin: '600px 0px' },
  );
  private renderQueued = false;
  private dragDepth = 0;

  constructor(private readonly options: GalleryOptions) {
    this.queue = new UploadQueue(this.api, options.queue, (upload) => this.uploadChanged(upload));
    this.state.uploads = this.queue.uploads;
  }

  start(): void {
    this.listenForDrops();
    this.render();
    this.loadMore();
  }

  // --- listing -------------------------------------------------------------------------------------------

  loadMore = (): void => {
    if (this.state.loading || (this.state.loaded && !this.state.hasMore)) return;
    this.update({ loading: true, listError: null });
    this.api.list(PAGE_SIZE, this.cursor).then(
      (result) => {
        const known = new Set(this.state.images.map((image) => image.id));
        this.cursor = result.nextCursor;
        this.update({
          images: [...this.state.images, ...result.items.filter((image) => !known.has(image.id))],
          loaded: true,
          loading: false,
          hasMore: result.nextCursor !== null,
          needsKey: false,
        });
        // A short page (or a tall screen) leaves the sentinel in view, which the observer does not report again.
        requestAnimationFrame(() => {
          if (this.state.hasMore && this.sentinelInView()) this.loadMore();
        });
      },
      (error: unknown) => {
        if (error instanceof ApiKeyCancelled) return this.update({ loading: false, needsKey: true });
        this.update({ loading: false, listError: `Could not load images: ${messageOf(error)}` });
      },
    );
  };

  private sentinelInView(): boolean {
    const box = this.sentinel?.getBoundingClientRect();
    return box !== undefined && box.top < window.innerHeight + 600;
  }

  sentinelRef = (element?: Element): void => {
    if (this.sentinel === element) return;
    if (this.sentinel) this.observer.unobserve(this.sentinel);
    this.sentinel = element;
    if (element) this.observer.observe(element);
  };

  // --- uploads -------------------------------------------------------------------------------------------

  chooseFiles = (): void => this.input('file-input')?.click();
  chooseFolder = (): void => this.input('folder-input')?.click();

  filesChosen = (event: Event): void => {
    const input = event.currentTarget as HTMLInputElement;
    this.enqueue([...(input.files ?? [])]);
    input.value = '';
  };

  folderChosen = (event: Event): void => {
    const input = event.currentTarget as HTMLInputElement;
    this.enqueue(input.files ? filesOfFolderInput(input.files) : []);
    input.value = '';
  };

  retryUpload = (upload: Upload): void => this.queue.retry(upload);

  clearUploads = (): void => {
    this.queue.clearFinished();
    this.update({});
  };

  private enqueue(files: File[]): void {
    if (files.length === 0) return this.announce('No files to upload.');
    this.announce(`Uploading ${plural(files.length, 'file')}.`);
    this.queue.add(files);
  }

  private uploadChanged(upload: Upload): void {
    if (upload.state === 'done' && upload.image) {
      this.announce(`${upload.file.name} uploaded.`);
      this.addUploaded(upload.image);
    } else if (upload.state === 'failed') {
      this.announce(`${upload.file.name} failed: ${upload.error ?? 'unknown error'}`);
    }
    if ((upload.state === 'done' || upload.state === 'failed') && this.queue.active === 0) {
      const done = this.queue.uploads.filter((item) => item.state === 'done').length;
      const failed = this.queue.uploads.filter((item) => item.state === 'failed').length;
      this.announce(`Uploads finished: ${done} uploaded, ${failed} failed.`);
    }
    this.scheduleRender();
  }

  /** The listing is oldest first: a new image belongs at its end, so it is shown once the end is loaded. */
  private addUploaded(image: Image): void {
    if (!this.state.loaded || this.state.hasMore) return;
    if (this.state.images.some((known) => known.id === image.id)) return;
    this.state.images = [...this.state.images, image];
  }

  private listenForDrops(): void {
    const hasFiles = (event: DragEvent) => event.dataTransfer?.types.includes('Files') ?? false;
    document.addEventListener('dragenter', (event) => {
      if (!hasFiles(event)) return;
      event.preventDefault();
      this.dragDepth++;
      if (!this.state.dragging) this.update({ dragging: true });
    });
    document.addEventListener('dragover', (event) => {
      if (!hasFiles(event)) return;
      event.preventDefault();
      if (event.dataTransfer) event.dataTransfer.dropEffect = 'copy';
    });
    document.addEventListener('dragleave', () => {
      this.dragDepth = Math.max(0, this.dragDepth - 1);
      if (this.dragDepth === 0 && this.state.dragging) this.update({ dragging: false });
    });
    document.addEventListener('drop', (event) => {
      if (!event.dataTransfer) return;
      event.preventDefault();
      this.dragDepth = 0;
      this.update({ dragging: false });
      void filesOfDrop(event.dataTransfer).then((files) => this.enqueue(files));
    });
  }

  // --- detail, selection and delete ----------------------------------------------------------------------

  open = (image: Image): void => this.update({ detail: image, notice: '' });

  closeDetail = (): void => {
    if (this.state.detail) this.update({ detail: null, notice: '' });
  };

  toggleSelected = (image: Image, event: Event): void => {
    const selected = new Set(this.state.selected);
    if ((event.currentTarget as HTMLInputElement).checked) selected.add(image.id);
    else selected.delete(image.id);
    this.update({ selected });
  };

  clearSelection = (): void => this.update({ selected: new Set() });

  askDelete = (images: readonly Image[]): void => {
    if (images.length > 0) this.update({ confirm: images });
  };

  cancelDelete = (): void => {
    if (!this.state.deleting) this.update({ confirm: null });
  };

  confirmDelete = (): void => {
    const images = this.state.confirm ?? [];
    this.update({ deleting: true });
    void Promise.allSettled(
      images.map((image) =>
        this.api.delete(image).catch((error: unknown) => {
          // Already gone is what was asked for.
          if (error instanceof ApiError && error.status === 404) return;
          throw error;
        }),
      ),
    ).then((results) => {
      const gone = new Set(images.filter((_, index) => results[index]?.status === 'fulfilled').map((i) => i.id));
      const failures = results.filter((result) => result.status === 'rejected');
      const selected = new Set([...this.state.selected].filter((id) => !gone.has(id)));
      const detail = this.state.detail && gone.has(this.state.detail.id) ? null : this.state.detail;
      this.update({
        images: this.state.images.filter((image) => !gone.has(image.id)),
        deleted: new Set([...this.state.deleted, ...gone]),
        selected,
        detail,
        confirm: null,
        deleting: false,
        notice: failures.length > 0 ? `Could not delete: ${messageOf(failures[0]!.reason)}` : '',
      });
      const failed = failures.length > 0 ? ` ${plural(failures.length, 'image')} could not be deleted.` : '';
      this.announce(`${plural(gone.size, 'image')} deleted.${failed}`);
    });
  };

  copyLink = (image: Image): void => {
    const link = resolve(image.links.content);
    navigator.clipboard.writeText(link).then(
      () => this.update({ notice: 'Link copied.' }),
      () => this.update({ notice: `Copy this link: ${link}` }),
    );
  };

  // --- API key -------------------------------------------------------------------------------------------

  askKey = (): void => {
    this.update({ needsKey: false, loaded: false });
    this.loadMore();
  };

  submitKey = (event: SubmitEvent): void => {
    event.preventDefault();
    const form = event.currentTarget as HTMLFormElement;
    const key = String(new FormData(form).get('key') ?? '').trim();
    if (!key) return;
    form.reset();
    this.update({ keyPrompt: null });
    this.keys.provide(key);
  };

  cancelKey = (): void => {
    this.update({ keyPrompt: null });
    this.keys.provide(null);
  };

  // --- rendering -----------------------------------------------------------------------------------------

  dialogRef = (name: DialogName): ((element?: Element) => void) => {
    let callback = this.dialogRefs.get(name);
    if (!callback) {
      callback = (element?: Element) => {
        if (element instanceof HTMLDialogElement) this.dialogs.set(name, element);
      };
      this.dialogRefs.set(name, callback);
    }
    return callback;
  };

  private update(patch: Partial<ViewState>): void {
    Object.assign(this.state, patch);
    this.scheduleRender();
  }

  private announce(message: string): void {
    this.state.status = message;
    this.scheduleRender();
  }

  private scheduleRender(): void {
    if (this.renderQueued) return;
    this.renderQueued = true;
    requestAnimationFrame(() => {
      this.renderQueued = false;
      this.render();
    });
  }

  private render(): void {
    render(page(this.state, this), this.options.root);
    this.syncDialog('detail', this.state.detail !== null);
    this.syncDialog('confirm', this.state.confirm !== null);
    this.syncDialog('key', this.state.keyPrompt !== null);
  }

  /** Modal dialogs trap focus, close on Escape and return focus to the opener; they open only imperatively. */
  private syncDialog(name: DialogName, open: boolean): void {
    const dialog = this.dialogs.get(name);
    if (!dialog || dialog.open === open) return;
    if (open) dialog.showModal();
    else dialog.close();
  }

  private input(id: string): HTMLInputElement | null {
    return this.options.root.querySelector<HTMLInputElement>(`#${id}`);
  }
}

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));
