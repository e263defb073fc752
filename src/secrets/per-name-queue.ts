/** Runs the calls for one name one after another within the process (puts read the newest version first). */
export class PerNameQueue {
  private readonly queues = new Map<string, Promise<unknown>>();

  run<T>(name: string, call: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(name) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(call);
    this.queues.set(name, next);
    void next
      .finally(() => {
        if (this.queues.get(name) === next) this.queues.delete(name);
      })
      .catch(() => undefined);
    return next;
  }
}
