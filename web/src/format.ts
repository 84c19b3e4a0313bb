// Display helpers; the locale is the browser's.
export { formatBytes } from './uploads';

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function formatDate(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateTime.format(date);
}

/** What a person calls this image: its original name, else its id. Always rendered as text, never as markup. */
export const nameOf = (image: { readonly originalName: string | null; readonly id: string }) =>
  image.originalName?.trim() || `Image ${image.id}`;

export const plural = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;
