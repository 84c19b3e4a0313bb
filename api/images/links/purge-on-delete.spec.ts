import { describe, expect, it, vi } from 'vitest';
import { AppError } from '../../common/app-error';
import { loadConfig } from '../../config/app-config';
import { CursorCodec } from '../cursor.codec';
import type { ImageProcessor } from '../image-processor';
import type { ImageStorage } from '../image-storage';
import { ImagesService } from '../images.service';
import { NoopAppMetrics } from '../../observability/app-metrics';
import type { ImageVariantsService } from '../variants/image-variants.service';
import { ContentLinks } from './content-links';

const ID = '01936f8e-7b3c-7c1e-9a4e-3f2b1c0d9e8f';

class RecordingLinks extends ContentLinks {
  readonly origin = undefined;
  readonly forgotten: string[] = [];
  constructor(private readonly failure?: Error) {
    super();
  }
  linkTo(): string {
    return '';
  }
  async forget(id: string): Promise<void> {
    this.forgotten.push(id);
    if (this.failure) throw this.failure;
  }
}

function serviceWith(links: ContentLinks, deleted: boolean) {
  const storage = { delete: vi.fn(async () => deleted) } as unknown as ImageStorage;
  const metrics = new NoopAppMetrics();
  const purgeFailed = vi.spyOn(metrics, 'purgeFailed');
  const service = new ImagesService(
    storage,
    {} as ImageProcessor,
    new CursorCodec('c'.repeat(32)),
    loadConfig({}),
    {} as ImageVariantsService,
    links,
    metrics,
    { storage },
  );
  return { service, purgeFailed };
}

describe('purge on delete', () => {
  it('forgets the links of a deleted image (one purge per delete)', async () => {
    const links = new RecordingLinks();
    const { service, purgeFailed } = serviceWith(links, true);
    await service.delete(ID);
    expect(links.forgotten).toEqual([ID]);
    expect(purgeFailed).not.toHaveBeenCalled();
  });

  it('still deletes when the purge fails, and counts the failure', async () => {
    const links = new RecordingLinks(new Error('Throttling: Rate exceeded'));
    const { service, purgeFailed } = serviceWith(links, true);
    await expect(service.delete(ID)).resolves.toBeUndefined();
    expect(links.forgotten).toEqual([ID]);
    expect(purgeFailed).toHaveBeenCalledTimes(1);
  });

  it('purges nothing when there was no such image', async () => {
    const links = new RecordingLinks();
    const { service } = serviceWith(links, false);
    await expect(service.delete(ID)).rejects.toMatchObject({ code: 'IMAGE_NOT_FOUND' } satisfies Partial<AppError>);
    expect(links.forgotten).toEqual([]);
  });
});
