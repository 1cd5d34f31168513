import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Plugin } from 'vite';

const WEB = fileURLToPath(new URL('..', import.meta.url));
const SW_SOURCE = join(WEB, 'sw', 'sw.js');
const KIOSK_SW_SOURCE = join(WEB, 'sw', 'kiosk-sw.js');
/** The kiosk app's route module: everything it can load is kept by the kiosk's worker. */
const KIOSK_ROUTE = /src\/web\/routes\/kiosk\.tsx$/;
const PUBLIC = join(WEB, 'public');
const MARKER = /\/\* @paike-build \*\/ \{[^}]*\}/;

function publicFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? publicFiles(p) : [p];
  });
}

/**
 * Emits /sw.js (src/web/sw/sw.js) with the build's id and the shell's own assets written in. The
 * id hashes every output file name (hashed, so any code change moves it), the worker's source
 * and the public files (icons, manifest), so each deploy gets fresh caches and the old ones go.
 * The shell's assets are the entry chunk, the chunks it imports statically and their CSS: what
 * index.html needs to start, and nothing a route loads later.
 */
export function pwaServiceWorker(): Plugin {
  return {
    name: 'paike-pwa-sw',
    apply: 'build',
    generateBundle(_options, bundle) {
      const source = readFileSync(SW_SOURCE, 'utf8');
      if (!MARKER.test(source)) this.error('src/web/sw/sw.js lost its /* @paike-build */ marker');

      const shell = new Set<string>();
      const visit = (fileName: string) => {
        const item = bundle[fileName];
        if (!item || item.type !== 'chunk' || shell.has(`/${fileName}`)) return;
        shell.add(`/${fileName}`);
        for (const css of item.viteMetadata?.importedCss ?? []) shell.add(`/${css}`);
        for (const dep of item.imports) visit(dep);
      };
      for (const item of Object.values(bundle)) if (item.type === 'chunk' && item.isEntry) visit(item.fileName);

      const hash = createHash('sha256');
      for (const name of Object.keys(bundle).sort()) hash.update(`${name}\n`);
      hash.update(source);
      for (const p of publicFiles(PUBLIC).sort()) hash.update(relative(PUBLIC, p)).update(readFileSync(p));
      const id = hash.digest('hex').slice(0, 12);

      const build = JSON.stringify({ id, shell: [...shell].sort() });
      this.emitFile({ type: 'asset', fileName: 'sw.js', source: source.replace(MARKER, build) });

      // The kiosk's worker (docs/kiosk.md "Offline") keeps the whole kiosk app, lazy parts too
      // (hls.js, the QR code, both catalogues): a screen restarted in an outage must start.
      const kioskSource = readFileSync(KIOSK_SW_SOURCE, 'utf8');
      if (!MARKER.test(kioskSource)) this.error('src/web/sw/kiosk-sw.js lost its /* @paike-build */ marker');
      const kiosk = new Set(shell);
      const visitAll = (fileName: string) => {
        const item = bundle[fileName];
        if (!item || item.type !== 'chunk' || (kiosk.has(`/${fileName}`) && !shell.has(`/${fileName}`))) return;
        kiosk.add(`/${fileName}`);
        for (const css of item.viteMetadata?.importedCss ?? []) kiosk.add(`/${css}`);
        for (const dep of [...item.imports, ...item.dynamicImports]) if (!shell.has(`/${dep}`)) visitAll(dep);
      };
      const route = Object.values(bundle).find((item) => item.type === 'chunk' && !!item.facadeModuleId && KIOSK_ROUTE.test(item.facadeModuleId));
      if (!route) this.error('the kiosk route chunk (src/web/routes/kiosk.tsx) is missing from the build');
      visitAll(route.fileName);
      const entry = Object.values(bundle).flatMap((item) => (item.type === 'chunk' && item.isEntry ? [`/${item.fileName}`] : []));
      const kioskHash = createHash('sha256').update(id).update(kioskSource).digest('hex').slice(0, 12);
      const kioskBuild = JSON.stringify({ id: kioskHash, entry, shell: [...kiosk].sort() });
      this.emitFile({ type: 'asset', fileName: 'kiosk-sw.js', source: kioskSource.replace(MARKER, kioskBuild) });
    },
  };
}
