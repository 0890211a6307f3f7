/**
 * Questions one hub process asks the others over socket.io's adapter (serverSideEmit; the
 * PostgreSQL adapter, docs/architecture.md "Several hub processes"), each answered from that
 * process's own sockets.
 */

/**
 * The other hub processes' answers to a question (none with one process: socket.io's in-memory
 * adapter, or no other process heard of). A process that died is waited for at most the
 * adapter's 5 s, until its heartbeats are missed; the answers of the others are kept: its
 * kiosks' sockets died with it.
 */
export async function othersAnswer<T>(nsp: { adapter: { serverCount(): Promise<number> } }, ask: () => Promise<T[]>): Promise<T[]> {
  if ((await nsp.adapter.serverCount()) <= 1) return [];
  try {
    return await ask();
  } catch (err) {
    return (err as { responses?: T[] }).responses ?? [];
  }
}
