import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Locale } from '../../../contracts/common.js';
import { sendError } from '../../http/error-handler.js';
import { ifNoneMatch } from '../../http/conditional.js';
import { pageCsp, readerCsp } from '../../http/security-headers.js';
import type { Services } from '../../services.js';
import { addVary, pathOf } from './web.compress.js';
import { createPages, type Pages } from './web.pages.js';
import { createStoryPage } from '../kitchen/publish.page.js';
import { createWebRepository } from './web.repository.js';
import { robotsTxt, sitemapXml } from './web.seo.js';
import { createShell, LOCALE_COOKIE, pageLocale, type Shell, type ShellPage } from './web.shell.js';
import { registerStatic } from './web.static.js';

export interface WebOptions {
  /** The built web app (dist/web); nothing of it is served when it has no index.html. */
  webDir: string;
  serveWeb: boolean;
}

export function pagesFor(services: Services): Pages {
  return createPages({
    video: (id) => services.site.video(id),
    campaign: (idOrSlug) => services.campaigns.getPublic(idOrSlug, null),
    campaignVideos: async (campaignId, limit) => (await services.site.feed({ campaignId, limit })).items,
    chart: (q) => services.charts.weekly(q),
    profile: (id) => services.site.profile(id),
    publicUrl: () => services.publicUrl(),
  });
}

/**
 * The web app as the server answers it: its built files, every page address as index.html
 * rendered in the user's language, the four shareable addresses (campaign, video, chart,
 * profile) with a link preview's head and a readable body, robots.txt and sitemap.xml. Also
 * installs the not-found handler (a page address gets the app; anything else a coded 404).
 */
export async function registerWeb(root: FastifyInstance, services: Services, opts: WebOptions): Promise<void> {
  const app = root.withTypeProvider<ZodTypeProvider>();
  const indexFile = path.join(opts.webDir, 'index.html');
  const shell: Shell | null = opts.serveWeb && existsSync(indexFile) ? createShell(readFileSync(indexFile, 'utf8')) : null;
  const csp = shell ? pageCsp(shell.styleHashes) : '';
  const pages = pagesFor(services);
  const repo = createWebRepository(services.database.db);

  function locale(req: FastifyRequest): Locale {
    const al = req.headers['accept-language'];
    return pageLocale(req.cookies?.[LOCALE_COOKIE], Array.isArray(al) ? al.join(',') : al);
  }

  function sendPage(req: FastifyRequest, reply: FastifyReply, s: Shell, l: Locale, page: ShellPage | null) {
    addVary(reply, 'Cookie', 'Accept-Language');
    const html = s.render(l, page ?? undefined);
    // The page may carry the signed-in user's language and is revalidated each time; a shared
    // cache must not keep one person's answer for another.
    const policy = req.url.startsWith('/read/') ? readerCsp() : csp;
    reply.type('text/html; charset=utf-8').header('cache-control', 'private, no-cache').header('content-security-policy', policy);
    // Which page this is, for the service worker: only the plain shell may become the shell it
    // opens every address with; a link preview's head and body belong to that one address.
    reply.header('paike-shell', page && page.head === undefined && page.body === undefined ? 'plain' : 'page');
    if (page === null) return reply.status(404).send(html);
    // `no-cache` means every visit asks again; on a slow network a 304 is most of a round trip's
    // bytes less than the page. Weak: the compressed bytes differ by encoding, the page does not.
    const etag = `W/"${createHash('sha1').update(html).digest('base64url')}"`;
    reply.header('etag', etag);
    if (ifNoneMatch(req.headers['if-none-match'], etag)) return reply.status(304).send();
    return reply.status(200).send(html);
  }

  if (shell) {
    await registerStatic(root, opts.webDir);
    const page = (url: string, render: (req: FastifyRequest, l: Locale) => Promise<ShellPage | null>) =>
      app.get(url, { schema: { hide: true } }, async (req, reply) => {
        const l = locale(req);
        return sendPage(req, reply, shell, l, await render(req, l));
      });
    page('/v/:id', (req, l) => pages.video((req.params as { id: string }).id, l));
    page('/c/:slug', (req, l) => pages.campaign((req.params as { slug: string }).slug, l));
    page('/u/:id', (req, l) => pages.profile((req.params as { id: string }).id, l));
    page('/charts/:campaignId', (req, l) => {
      const week = (req.query as { week?: unknown }).week;
      return pages.chart((req.params as { campaignId: string }).campaignId, typeof week === 'string' ? week : undefined, l);
    });
    // Issue 14, part `publish`: a published story's article.
    const storyPage = createStoryPage({ story: (id) => services.kitchenPublish.publicStory(id), publicUrl: () => services.publicUrl() });
    page('/stories/:id', (req, l) => storyPage((req.params as { id: string }).id, l));
  }

  app.get(
    '/robots.txt',
    {
      schema: {
        tags: ['site'],
        security: [],
        summary: 'robots.txt: staff, account and API addresses disallowed; the public pages allowed; the sitemap named',
        response: { 200: z.any().describe('text/plain') },
      },
    },
    async (_req, reply) => reply.type('text/plain; charset=utf-8').header('cache-control', 'no-cache').send(robotsTxt(services.publicUrl())),
  );
  app.get(
    '/sitemap.xml',
    {
      schema: {
        tags: ['site'],
        security: [],
        summary:
          'Sitemap: published videos, public campaigns and their weekly charts, contributor pages, published kitchen stories (absolute URLs, lastmod; at most 50,000)',
        response: { 200: z.any().describe('application/xml') },
      },
    },
    async (_req, reply) =>
      reply
        .type('application/xml; charset=utf-8')
        .header('cache-control', 'public, max-age=600')
        .send(await sitemapXml({ base: services.publicUrl(), repo })),
  );

  root.setNotFoundHandler((req, reply) => {
    const p = pathOf(req.url);
    // The web app routes on the client: every page address gets the app, in the user's language.
    if (shell && (req.method === 'GET' || req.method === 'HEAD') && !p.startsWith('/api/') && (!path.extname(p) || p === '/index.html')) {
      return sendPage(req, reply, shell, locale(req), {});
    }
    return sendError(req, reply, 404, 'request.not_found');
  });
}
