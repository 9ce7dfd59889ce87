/**
 * A tiny static file server for a built web app, sending the cross-origin isolation headers (COOP same-origin, COEP
 * require-corp) that SharedArrayBuffer — the workers backend and tfjs-wasm's threads — needs, unless asked not to
 * (the web app's tests use that to check the page on a host without them). Listens on 127.0.0.1 only, on a free port;
 * serves GET/HEAD of files under `root` and nothing outside it, plus, with `mounts`, other folders under URL prefixes
 * (`{ '/onnx/': dir }`: the bench page's ONNX files, kept outside the build).
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, resolve, sep } from 'node:path';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.map': 'application/json',
  '.wasm': 'application/wasm', // instantiateStreaming requires this exact type
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.txt': 'text/plain; charset=utf-8',
  '.gz': 'application/gzip',
  '.safetensors': 'application/octet-stream',
  '.onnx': 'application/octet-stream',
};

export const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
} as const;

export interface StaticServer {
  /** e.g. http://127.0.0.1:41234 */
  origin: string;
  close(): Promise<void>;
}

export interface ServeOptions {
  /** false: no COOP/COEP/CORP headers (default: sent). */
  isolation?: boolean;
  /** URL prefix (starting and ending with '/') → folder served under it. */
  mounts?: Record<string, string>;
}

/** The folder and the path inside it that a URL path maps to: the longest matching mount, else `root`. */
function locate(root: string, mounts: Record<string, string>, path: string): { base: string; rel: string } {
  const prefix = Object.keys(mounts).filter((p) => path.startsWith(p)).sort((a, b) => b.length - a.length)[0];
  return prefix ? { base: resolve(mounts[prefix]), rel: path.slice(prefix.length - 1) } : { base: resolve(root), rel: path };
}

export async function serveStatic(root: string, opts: ServeOptions = {}): Promise<StaticServer> {
  const mounts = opts.mounts ?? {};
  const headers = opts.isolation === false ? {} : ISOLATION_HEADERS;
  const server: Server = createServer((req, res) => {
    void (async () => {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { Allow: 'GET, HEAD' }).end();
        return;
      }
      let path: string;
      try {
        path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
      } catch {
        res.writeHead(400).end('bad URL');
        return;
      }
      const { base, rel } = locate(root, mounts, path);
      const file = resolve(join(base, rel.endsWith('/') ? `${rel}index.html` : rel));
      if (file !== base && !file.startsWith(base + sep)) {
        res.writeHead(403).end('outside the served folder');
        return;
      }
      const st = await stat(file).catch(() => null);
      if (!st?.isFile()) {
        res.writeHead(404, headers).end('not found');
        return;
      }
      res.writeHead(200, {
        ...headers,
        'Content-Type': MIME[extname(file).toLowerCase()] ?? 'application/octet-stream',
        'Content-Length': st.size,
        'Cache-Control': 'no-store',
      });
      if (req.method === 'HEAD') res.end();
      else createReadStream(file).pipe(res);
    })().catch((err: unknown) => {
      if (!res.headersSent) res.writeHead(500);
      res.end(String(err));
    });
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => ok());
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((ok) => {
      server.closeAllConnections();
      server.close(() => ok());
    }),
  };
}
