import type { IncomingMessage } from 'node:http';
import type { MiddlewareHandler } from 'hono';

/** The most of an unread request body that is read and dropped to keep its connection open. */
const DRAIN_MAX_BYTES = 8 * 1024 * 1024;
const DRAIN_TIMEOUT_MS = 2000;

/**
 * A request refused before its body was read (401, 413, 415…) leaves the body on the connection.
 * Answering "keep-alive" and then closing makes the client's next request fail with a reset. So the
 * rest of the body is read and dropped before the answer goes out, when it is small enough and
 * arrives soon enough; otherwise the answer says `Connection: close` and the connection ends cleanly.
 */
export function settleUnreadBody(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
    if (!incoming || incoming.readableEnded || incoming.complete) return;
    const declared = Number(incoming.headers['content-length'] ?? Number.NaN);
    const body = c.req.raw.body;
    const drained =
      !(declared > DRAIN_MAX_BYTES) && !c.req.raw.bodyUsed && body !== null && !body.locked && (await drain(body));
    if (!drained) c.header('connection', 'close');
  };
}

/** Reads and drops the rest of a body; true when it ended within the bounds. */
async function drain(body: ReadableStream<Uint8Array>): Promise<boolean> {
  const reader = body.getReader();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'timeout'>((done) => {
    timer = setTimeout(() => done('timeout'), DRAIN_TIMEOUT_MS);
  });
  try {
    for (let bytes = 0; bytes <= DRAIN_MAX_BYTES; ) {
      const chunk = await Promise.race([reader.read(), timeout]);
      if (chunk === 'timeout') return false;
      if (chunk.done) return true;
      bytes += chunk.value.byteLength;
    }
    return false;
  } catch {
    // The client went away while sending: nothing is left to keep open.
    return false;
  } finally {
    clearTimeout(timer);
    reader.releaseLock();
  }
}
