/**
 * How a participant that fails tells its peer, and how the peer turns that into a typed error: the one `'error'`
 * message shape shared by every protocol on a {@link Link} (data-parallel replicas, layer-wise pipeline partitions).
 */
import { RemoteError } from './errors.js';
import type { Message } from './frame.js';
import type { Link } from './link.js';

/**
 * Sends `error` to the peer as an `'error'` message (name and message), then closes the link. Best effort: a link
 * that is already closed or full is left as it is (waits at most 1 s). Call it from a participant's `catch` before
 * rethrowing.
 *
 * @example
 * ```ts
 * try { await work(link); } catch (error) { await reportFailure(link, error); throw error; }
 * ```
 */
export async function reportFailure(link: Link, error: unknown): Promise<void> {
  const e = error as { name?: string; message?: string };
  const meta = { name: e?.name ?? 'Error', message: e?.message ?? String(error) };
  await link.send({ kind: 'error', meta }, { timeoutMs: 1000 }).catch(() => {});
  await link.close().catch(() => {});
}

/**
 * Checks a message received from `link`'s peer: an `'error'` message (from {@link reportFailure}) becomes a
 * {@link RemoteError} naming the peer and carrying its error's name and message; a kind other than `kinds` is a
 * `RemoteError` named `'ProtocolError'`. Returns the message otherwise.
 *
 * @example
 * ```ts
 * const reply = expectMessage(link, await link.receive({ timeoutMs: 60_000 }), ['upload']);
 * ```
 */
export function expectMessage(link: Link, message: Message, kinds: readonly string[]): Message {
  if (message.kind === 'error') {
    const meta = message.meta as { name?: string; message?: string } | null;
    throw new RemoteError(link.peer, meta?.name ?? 'Error', meta?.message ?? '');
  }
  if (!kinds.includes(message.kind)) {
    throw new RemoteError(link.peer, 'ProtocolError', `sent '${message.kind}' where ${kinds.map((k) => `'${k}'`).join(' or ')} was expected`);
  }
  return message;
}
