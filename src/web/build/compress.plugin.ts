import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { Plugin } from 'vite';

/** Text files worth compressing; images and video are compressed already. */
const TEXT = /\.(?:js|mjs|css|html|svg|json|webmanifest|txt|xml|ico)$/;
/** Below about one packet, compression saves nothing a client would notice. */
const MIN_BYTES = 1024;

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

/**
 * After the build: writes `.br` (quality 11, the slowest and smallest, paid once here instead of
 * per request) and `.gz` (level 9) next to every text file of at least 1 KB, for
 * @fastify/static's `preCompressed`; and moves the source maps (`sourcemap: 'hidden'`, so no
 * file names them) out of the served directory into `sourcemapDir`, kept for operators.
 */
export function compressPlugin(opts: { sourcemapDir: string }): Plugin {
  let outDir = '';
  return {
    name: 'paike:compress',
    apply: 'build',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    buildStart() {
      // The maps of this build only, like the emptied outDir.
      rmSync(opts.sourcemapDir, { recursive: true, force: true });
    },
    closeBundle: {
      // After every other plugin (the service worker's included) has written its files.
      order: 'post',
      sequential: true,
      handler() {
        let maps = 0;
        let compressed = 0;
        for (const file of walk(outDir)) {
          if (file.endsWith('.map')) {
            const target = path.join(opts.sourcemapDir, path.relative(outDir, file));
            mkdirSync(path.dirname(target), { recursive: true });
            renameSync(file, target);
            maps++;
            continue;
          }
          if (!TEXT.test(file) || statSync(file).size < MIN_BYTES) continue;
          const body = readFileSync(file);
          writeFileSync(
            `${file}.br`,
            brotliCompressSync(body, {
              params: {
                [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
                [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
                [constants.BROTLI_PARAM_SIZE_HINT]: body.length,
              },
            }),
          );
          writeFileSync(`${file}.gz`, gzipSync(body, { level: 9 }));
          compressed++;
        }
        this.info?.(`precompressed ${compressed} files (.br, .gz); moved ${maps} source maps to ${opts.sourcemapDir}`);
      },
    },
  };
}
