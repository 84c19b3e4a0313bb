/** Image ids in ascending order, for paging without sorting the whole directory on every request. */
export class SortedIds {
  private ids: string[] = [];

  replaceAll(ids: string[]): void {
    this.ids = [...ids].sort();
  }

  add(id: string): void {
    const at = this.indexAfter(id, true);
    if (this.ids[at] !== id) this.ids.splice(at, 0, id);
  }

  remove(id: string): void {
    const at = this.indexAfter(id, true);
    if (this.ids[at] === id) this.ids.splice(at, 1);
  }

  /** Up to `limit` ids greater than `after`, and whether more follow. */
  page(after: string | undefined, limit: number): { ids: string[]; hasMore: boolean } {
    const start = after === undefined ? 0 : this.indexAfter(after, false);
    const ids = this.ids.slice(start, start + limit);
    return { ids, hasMore: start + limit < this.ids.length };
  }

  /** First index whose id is greater than `id` (or, `inclusive`, not less than it). */
  private indexAfter(id: string, inclusive: boolean): number {
    let low = 0;
    let high = this.ids.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      const before = inclusive ? this.ids[middle] < id : this.ids[middle] <= id;
      if (before) low = middle + 1;
      else high = middle;
    }
    return low;
  }
}
