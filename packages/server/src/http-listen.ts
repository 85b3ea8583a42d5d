import type { Duplex } from 'node:stream';
import { serve } from '@hono/node-server';
import { HTTP_STATUS, SuanliError } from '@suanli/service';

/** Listens on host:port; a busy or unusable address is ADDRESS_IN_USE, with what to do. */
export function listen(fetch: (req: Request) => Response | Promise<Response>, host: string, port: number) {
  return new Promise<ReturnType<typeof serve>>((ok, fail) => {
    const s = serve({ fetch, hostname: host, port }, () => ok(s));
    s.once('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EADDRINUSE') {
        fail(
          new SuanliError('ADDRESS_IN_USE', `${host}:${port} is in use (another suanli serve?): choose another --port`),
        );
      } else if (e.code === 'EADDRNOTAVAIL' || e.code === 'ENOTFOUND' || e.code === 'EACCES') {
        fail(new SuanliError('ADDRESS_IN_USE', `cannot listen on ${host}:${port}: ${e.code}`));
      } else fail(e);
    });
  });
}

/**
 * Requests Node refuses before Hono sees them (headers too large, malformed HTTP) get a JSON error
 * of the catalog, like every other answer, and the connection is closed.
 */
export function answerClientErrors(server: ReturnType<typeof serve>): void {
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (!socket.writable) {
      socket.destroy();
      return;
    }
    const e =
      err.code === 'HPE_HEADER_OVERFLOW'
        ? new SuanliError('HEADERS_TOO_LARGE', 'the request headers are larger than the server accepts (16 KB)')
        : new SuanliError('MALFORMED_INPUT', `not a valid HTTP request (${err.code ?? 'parse error'})`);
    const body = JSON.stringify(e.toBody());
    const status = `${HTTP_STATUS[e.code]} ${e.code === 'HEADERS_TOO_LARGE' ? 'Request Header Fields Too Large' : 'Bad Request'}`;
    socket.end(
      `HTTP/1.1 ${status}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  });
}
