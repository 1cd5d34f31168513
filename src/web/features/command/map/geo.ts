import { geoMercator, type GeoProjection } from 'd3-geo';
import { feature } from 'topojson-client';
import type { Feature, FeatureCollection, Geometry } from 'geojson';
import type { GeometryCollection, Topology } from 'topojson-specification';
// `?url`: Vite emits each file as a hashed asset of its own and hands back its address, so the
// outlines are fetched only when the map page runs and cached like any other asset (no other
// page's bundle grows by a byte).
import worldUrl from 'world-atlas/countries-110m.json?url';
import chinaUrl from 'china-geojson/src/geojson/china.json?url';

export type Outline = Feature<Geometry, { name?: string }>;
export interface BaseMap {
  countries: Outline[];
  provinces: Outline[];
}

let loading: Promise<BaseMap> | null = null;

/** Country outlines (Natural Earth 1:110m, world-atlas) and China's provinces (china-geojson), once per page load. */
export function loadBaseMap(): Promise<BaseMap> {
  loading ??= Promise.all([fetch(worldUrl).then((r) => r.json()), fetch(chinaUrl).then((r) => r.json())])
    .then(([world, china]: [Topology<{ countries: GeometryCollection<{ name?: string }> }>, FeatureCollection<Geometry, { name?: string }>]) => ({
      countries: (feature(world, world.objects.countries) as FeatureCollection<Geometry, { name?: string }>).features,
      provinces: china.features,
    }))
    .catch((err: unknown) => {
      loading = null;
      throw err;
    });
  return loading;
}

/**
 * Always Mercator, so raster tiles (Web Mercator) line up with the outlines without reprojection.
 * Fitted to the points given, padded to at least `minSpanDeg` so one person does not fill the screen.
 */
export function fitProjection(opts: { width: number; height: number; points: { lat: number; lng: number }[]; minSpanDeg?: number }): GeoProjection {
  const { width, height } = opts;
  // Nothing to show yet: China, where most of the newsroom's work is.
  const pts = opts.points.length
    ? opts.points
    : [
        { lat: 18, lng: 73 },
        { lat: 53.5, lng: 135 },
      ];
  const min = opts.minSpanDeg ?? 1;
  let [w, e, s, n] = [
    Math.min(...pts.map((p) => p.lng)),
    Math.max(...pts.map((p) => p.lng)),
    Math.min(...pts.map((p) => p.lat)),
    Math.max(...pts.map((p) => p.lat)),
  ];
  if (e - w < min) [w, e] = [(w + e) / 2 - min / 2, (w + e) / 2 + min / 2];
  if (n - s < min) [s, n] = [(s + n) / 2 - min / 2, (s + n) / 2 + min / 2];
  const pad = Math.min(width, height) * 0.08;
  return geoMercator().fitExtent(
    [
      [pad, pad],
      [width - pad, height - pad],
    ],
    {
      type: 'MultiPoint',
      coordinates: [
        [w, Math.max(s, -85)],
        [e, Math.min(n, 85)],
      ],
    },
  );
}

/** Pixels per metre at a latitude, for a Mercator projection of scale `scale` (conformal: the same in every direction). */
export function pixelsPerMetre(scale: number, lat: number): number {
  return scale / (6_371_000 * Math.max(Math.cos((lat * Math.PI) / 180), 0.01));
}

export interface Tile {
  key: string;
  url: string;
  x: number;
  y: number;
  size: number;
}

/**
 * The raster tiles covering the view, in the projection's (unzoomed) coordinates.
 *
 * d3's Mercator maps longitude λ to `scale·λ + tx` and the Web Mercator world is a square of side
 * `2π·scale` whose top-left corner sits at `(tx − π·scale, ty − π·scale)`. At zoom level z it is
 * 2^z tiles across, so a tile is `2π·scale / 2^z` wide; z is picked so a tile shows at about
 * 256 screen pixels under the view's zoom factor k. The view is `[x0, y0, x1, y1]` in the same
 * unzoomed coordinates.
 */
export function tilesFor(opts: { projection: GeoProjection; k: number; view: [number, number, number, number]; template: string }): Tile[] {
  const s = opts.projection.scale();
  const [tx, ty] = opts.projection.translate();
  const world = 2 * Math.PI * s;
  const z = Math.max(0, Math.min(19, Math.round(Math.log2((world * opts.k) / 256))));
  const n = 2 ** z;
  const size = world / n;
  const [ox, oy] = [tx - Math.PI * s, ty - Math.PI * s];
  const [x0, y0, x1, y1] = opts.view;
  const tiles: Tile[] = [];
  const fromX = Math.max(0, Math.floor((x0 - ox) / size));
  const toX = Math.min(n - 1, Math.floor((x1 - ox) / size));
  const fromY = Math.max(0, Math.floor((y0 - oy) / size));
  const toY = Math.min(n - 1, Math.floor((y1 - oy) / size));
  // A runaway view (zoomed far out on a huge screen) asks for at most 64 tiles.
  if ((toX - fromX + 1) * (toY - fromY + 1) > 64) return [];
  for (let x = fromX; x <= toX; x++) {
    for (let y = fromY; y <= toY; y++) {
      const url = opts.template.replace('{z}', String(z)).replace('{x}', String(x)).replace('{y}', String(y));
      tiles.push({ key: `${z}/${x}/${y}`, url, x: ox + x * size, y: oy + y * size, size });
    }
  }
  return tiles;
}
