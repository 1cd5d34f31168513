import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import { compressPlugin } from './build/compress.plugin';
import { pwaServiceWorker } from './build/pwa.plugin.js';

const webRoot = fileURLToPath(new URL('.', import.meta.url));
const repoRoot = fileURLToPath(new URL('../..', import.meta.url));

export default defineConfig({
  root: webRoot,
  base: '/',
  // The compression plugin compresses what the others wrote (sw.js included): it runs last.
  plugins: [react(), pwaServiceWorker(), compressPlugin({ sourcemapDir: `${repoRoot}dist/sourcemaps` })],
  build: {
    outDir: `${repoRoot}dist/web`,
    emptyOutDir: true,
    // Maps are written for operators (moved to dist/sourcemaps by compressPlugin) but no bundle
    // names them, so browsers never ask and the server never serves them.
    sourcemap: 'hidden',
  },
  server: {
    // `vite --config src/web/vite.config.ts` during development; PAIKE_API points at a running server.
    proxy: {
      '/api': process.env.PAIKE_API ?? 'http://127.0.0.1:3000',
      // The site's feeds for apps and readers (linked in index.html).
      '/rss.xml': process.env.PAIKE_API ?? 'http://127.0.0.1:3000',
      '/feed.json': process.env.PAIKE_API ?? 'http://127.0.0.1:3000',
      '/robots.txt': process.env.PAIKE_API ?? 'http://127.0.0.1:3000',
      '/sitemap.xml': process.env.PAIKE_API ?? 'http://127.0.0.1:3000',
    },
  },
});
