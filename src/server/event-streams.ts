/**
 * The open Server-Sent Event streams of this node (GET /jobs/events). The service ends them all
 * when it closes, before the HTTP server waits for its connections: an event stream never ends
 * on its own, so without this a shutdown would wait for every browser tab to go away.
 */
export class EventStreams {
  private readonly open = new Set<() => void>();
  private closed = false;

  /** Registers a stream's end function; returns the function that forgets it. */
  add(end: () => void): () => void {
    if (this.closed) {
      end();
      return () => {};
    }
    this.open.add(end);
    return () => void this.open.delete(end);
  }

  get size(): number {
    return this.open.size;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  closeAll(): void {
    this.closed = true;
    for (const end of [...this.open]) end();
    this.open.clear();
  }
}
