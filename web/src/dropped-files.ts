// Files from a drop or a picker, folders included where the browser exposes them (webkitGetAsEntry).

const readEntries = (reader: FileSystemDirectoryReader) =>
  new Promise<FileSystemEntry[]>((resolve, reject) => reader.readEntries(resolve, reject));
const fileOf = (entry: FileSystemFileEntry) => new Promise<File>((resolve, reject) => entry.file(resolve, reject));

/** Inside folders only images are taken: a folder also holds .DS_Store, sidecars and notes nobody meant to send. */
const isImageInFolder = (file: File) => file.type.startsWith('image/') && !file.name.startsWith('.');

async function filesOfEntry(entry: FileSystemEntry, inFolder: boolean): Promise<File[]> {
  if (entry.isFile) {
    const file = await fileOf(entry as FileSystemFileEntry);
    return !inFolder || isImageInFolder(file) ? [file] : [];
  }
  if (!entry.isDirectory) return [];
  const reader = (entry as FileSystemDirectoryEntry).createReader();
  const files: File[] = [];
  // readEntries answers in batches (100 in Chromium) until it returns an empty one.
  for (let batch = await readEntries(reader); batch.length > 0; batch = await readEntries(reader)) {
    for (const child of batch) files.push(...(await filesOfEntry(child, true)));
  }
  return files;
}

export async function filesOfDrop(transfer: DataTransfer): Promise<File[]> {
  // Entries must be taken synchronously: the DataTransfer is emptied once the event handler returns.
  const items = [...transfer.items].filter((item) => item.kind === 'file');
  const entries = items.map((item) => item.webkitGetAsEntry?.() ?? null);
  if (entries.every((entry) => entry === null)) return [...transfer.files];
  const files: File[] = [];
  for (const [index, entry] of entries.entries()) {
    if (entry) files.push(...(await filesOfEntry(entry, false)));
    else {
      const file = items[index]?.getAsFile();
      if (file) files.push(file);
    }
  }
  return files;
}

/** From `<input type=file webkitdirectory>`: every file of the folder tree, images only. */
export const filesOfFolderInput = (files: FileList) => [...files].filter(isImageInFolder);
