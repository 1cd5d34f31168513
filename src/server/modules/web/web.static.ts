import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/** Files a compressed twin may exist for (compress.plugin.ts writes them for these, over 1 KB). */
const TEXT = /\.(?:js|mjs|css|html|svg|json|webmanifest|txt|xml|ico)$/;

/**
 * The cache policy of a built file, by where it lives: Vite names everything under assets/ by
 * its content hash, so a changed file is a new address and the old one may be kept for a year
 * without asking; everything else (sw.js, the manifest, icons, the favicon) keeps its name
 * across releases and must be revalidated each time; a service worker script above all.
 */
export function staticCacheControl(relPath: string): string {
  return relPath.startsWith('assets/') ? 'public, max-age=31536000, immutable' : 'no-cache';
}

export function setStaticHeaders(webDir: string) {
  return (res: { setHeader(name: string, value: string): unknown }, filePath: string): void => {
    const rel = path
      .relative(webDir, filePath)
      .split(path.sep)
      .join('/')
      .replace(/\.(?:br|gz)$/, '');
    res.setHeader('cache-control', staticCacheControl(rel));
    if (TEXT.test(rel)) res.setHeader('vary', 'Accept-Encoding');
  };
}

/**
 * The built web app's files, one route each (wildcard: false, so an unknown path falls to the
 * not-found handler, which answers page addresses with the app). `preCompressed` sends the
 * build's .br or .gz twin by Accept-Encoding; the twins, the source maps and index.html (a
 * template rendered per request by web.routes.ts) get no route of their own.
 */
export async function registerStatic(app: FastifyInstance, webDir: string): Promise<void> {
  await app.register(fastifyStatic, {
    root: webDir,
    prefix: '/',
    wildcard: false,
    index: false,
    preCompressed: true,
    cacheControl: false,
    globIgnore: ['**/*.br', '**/*.gz', '**/*.map', 'index.html', 'robots.txt', 'sitemap.xml'],
    setHeaders: setStaticHeaders(webDir),
  });
}
