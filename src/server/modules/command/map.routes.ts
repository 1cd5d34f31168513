import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { errorBodySchema } from '../../../contracts/common.js';
import { commandMapReplySchema, mapQuerySchema } from '../../../contracts/command.js';
import type { Services } from '../../services.js';

/** The desk's map (docs/command-map.md). */
export function mapRoutes(services: Services): FastifyPluginAsyncZod {
  return async (app) => {
    app.get(
      '/api/command/map',
      {
        schema: {
          tags: ['command'],
          summary: 'The desk’s map: assignments, people sharing their location, kiosk screens, and a heat layer of recent submissions',
          description:
            "Needs `command.view` (editors, chief editors, admins). Editors see assignments of the studios they belong to or lead and the central desk's; chief editors and admins all. " +
            '`assignments`: those `assigned`, `in_progress` or `submitted`, with place, radius, status and `overdue`. ' +
            "`people`: the latest position of every running share on those assignments whose person still holds an accepted offer and whose assignment is `assigned` or `in_progress` (`lastSeenAt` is the phone's `recordedAt`; battery 0–1, charging and network when the phone's browser gives them). " +
            '`heat`: submissions with a place made in the last `heatDays` days (1–30, default 7) routed to a studio in scope or to none, counted per grid cell of `heatCellKm` km (2–200, default 10) — only cell centres and counts. ' +
            '`kiosks`: paired kiosk screens with a place (not revoked, all of them whatever the scope), with `health` (`ok`, `late`, `offline`, `never`) and `lastSeenAt`. ' +
            '`tileUrl`: MAP_TILE_URL ({z}/{x}/{y}) or null (outlines only). Poll it (the page does every 10 s). 401 `auth.required`, 403 `auth.forbidden`.',
          querystring: mapQuerySchema,
          response: { 200: commandMapReplySchema, 401: errorBodySchema, 403: errorBodySchema },
        },
      },
      async (req, reply) => {
        reply.header('cache-control', 'private, no-store');
        return services.commandMap.map(req.user, req.query);
      },
    );
    app.get(
      '/api/command/map/tiles/:z/:x/:y',
      {
        schema: {
          tags: ['command'],
          summary: 'One street-map tile from the configured tile server (MAP_TILE_URL), through Paike',
          description:
            "The desk map's raster tiles, fetched from MAP_TILE_URL by the server so pages keep `img-src 'self'` and desks never contact the tile server directly. " +
            '`z` 0–19, `x` and `y` 0 to 2^z − 1 (Web Mercator, as slippy maps number them). Needs `command.view`. ' +
            '404 `command.location.tiles_not_configured` when MAP_TILE_URL is not set (or x/y are outside the grid); 502 `command.location.tile_unavailable` when the tile server fails, times out (10 s) or answers something other than a PNG, JPEG or WebP image of at most 2 MiB (never SVG: tiles are served from Paike’s own origin). ' +
            'Cached privately by the browser for a day.',
          params: z.strictObject({
            z: z.coerce.number().int().min(0).max(19),
            x: z.coerce.number().int().min(0),
            y: z.coerce.number().int().min(0),
          }),
          produces: ['image/png', 'image/jpeg', 'image/webp'],
          response: {
            200: z.any().describe('the tile image, as the tile server sent it'),
            401: errorBodySchema,
            403: errorBodySchema,
            404: errorBodySchema,
            502: errorBodySchema,
          },
        },
      },
      async (req, reply) => {
        const tile = await services.commandMap.tile(req.user, req.params);
        reply.header('content-type', tile.contentType).header('cache-control', 'private, max-age=86400');
        return reply.send(tile.body);
      },
    );
  };
}
