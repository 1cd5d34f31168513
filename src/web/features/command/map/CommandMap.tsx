import { useEffect, useMemo, useRef, useState, type PointerEvent as ReactPointerEvent } from 'react';
import { geoPath, type GeoProjection } from 'd3-geo';
import { useTranslation } from 'react-i18next';
import type { CommandMapReply } from '../../../api/commandMap.js';
import { LOCATION_LIMITS } from '../../../../contracts/command.map.limits.js';
import { fitProjection, loadBaseMap, pixelsPerMetre, tilesFor, type BaseMap } from './geo.js';
import { personLabel } from './labels.js';

type Person = CommandMapReply['people'][number];
type Layers = { assignments: boolean; people: boolean; heat: boolean; kiosks: boolean };
interface View {
  k: number;
  x: number;
  y: number;
}
const W = 960;
const H = 640;
const IDENTITY: View = { k: 1, x: 0, y: 0 };
const clampK = (k: number) => Math.min(256, Math.max(0.5, k));

/** Zoom by `factor` about the screen point (px, py), keeping that point still. */
function zoomAbout(v: View, factor: number, px: number, py: number): View {
  const k = clampK(v.k * factor);
  const f = k / v.k;
  return { k, x: px - (px - v.x) * f, y: py - (py - v.y) * f };
}

/**
 * The desk's map as one SVG: optional raster tiles, country and province outlines, the heat
 * layer and assignment circles in a group under the view's transform (they grow with zoom);
 * people drawn on top in screen coordinates (markers keep their size). Wheel or buttons zoom,
 * dragging pans.
 */
export function CommandMap({ data, layers, now }: { data: CommandMapReply; layers: Layers; now: number }) {
  const { t, i18n } = useTranslation();
  const [base, setBase] = useState<BaseMap | null>(null);
  const [baseError, setBaseError] = useState(false);
  const [view, setView] = useState<View>(IDENTITY);
  const [fitKey, setFitKey] = useState(0);
  const svgRef = useRef<SVGSVGElement>(null);
  const drag = useRef<{ id: number; x: number; y: number; view: View } | null>(null);

  useEffect(() => {
    let gone = false;
    loadBaseMap().then(
      (b) => !gone && setBase(b),
      () => !gone && setBaseError(true),
    );
    return () => {
      gone = true;
    };
  }, []);

  // Fitted once to what there is to show (and again on "fit"), not on every refresh: the map does not jump under the desk's eyes.
  const hasContent = data.assignments.length + data.people.length + data.kiosks.length > 0;
  const projection = useMemo<GeoProjection>(
    () => fitProjection({ width: W, height: H, points: [...data.assignments, ...data.people, ...data.kiosks], minSpanDeg: 4 }),
    // Deliberately not on `data`: refit only when content first appears or on request.
    [fitKey, hasContent],
  );
  const path = useMemo(() => geoPath(projection), [projection]);
  const outlines = useMemo(
    () =>
      base
        ? {
            countries: base.countries.map((f, i) => ({ key: `c${i}`, d: path(f) ?? '' })),
            provinces: base.provinces.map((f, i) => ({ key: `p${i}`, d: path(f) ?? '' })),
          }
        : null,
    [base, path],
  );

  // Wheel zoom needs a non-passive listener to keep the page from scrolling.
  useEffect(() => {
    const svg = svgRef.current;
    if (!svg) return;
    const onWheel = (e: WheelEvent) => {
      e.preventDefault();
      const r = svg.getBoundingClientRect();
      const px = ((e.clientX - r.left) / r.width) * W;
      const py = ((e.clientY - r.top) / r.height) * H;
      setView((v) => zoomAbout(v, Math.exp(-e.deltaY * 0.002), px, py));
    };
    svg.addEventListener('wheel', onWheel, { passive: false });
    return () => svg.removeEventListener('wheel', onWheel);
  }, []);

  const onPointerDown = (e: ReactPointerEvent<SVGSVGElement>) => {
    if (e.button !== 0) return;
    drag.current = { id: e.pointerId, x: e.clientX, y: e.clientY, view };
    e.currentTarget.setPointerCapture(e.pointerId);
  };
  const onPointerMove = (e: ReactPointerEvent<SVGSVGElement>) => {
    const d = drag.current;
    if (!d || d.id !== e.pointerId) return;
    const r = e.currentTarget.getBoundingClientRect();
    setView({ ...d.view, x: d.view.x + ((e.clientX - d.x) / r.width) * W, y: d.view.y + ((e.clientY - d.y) / r.height) * H });
  };
  const onPointerUp = () => {
    drag.current = null;
  };

  const screen = (lng: number, lat: number): [number, number] => {
    const [x, y] = projection([lng, lat]) ?? [NaN, NaN];
    return [x * view.k + view.x, y * view.k + view.y];
  };
  const tiles = data.tileUrl
    ? tilesFor({ projection, k: view.k, template: data.tileUrl, view: [-view.x / view.k, -view.y / view.k, (W - view.x) / view.k, (H - view.y) / view.k] })
    : [];
  const heatMax = Math.max(1, ...data.heat.cells.map((c) => c.n));
  const cellDeg = data.heat.cellKm / 111.32;
  const stroke = 1 / view.k;

  return (
    <div className="cm-map">
      <div className="cm-zoom" role="group" aria-label={t('commandMap.layers')}>
        <button type="button" onClick={() => setView((v) => zoomAbout(v, 1.5, W / 2, H / 2))} aria-label={t('commandMap.zoomIn')}>
          +
        </button>
        <button type="button" onClick={() => setView((v) => zoomAbout(v, 1 / 1.5, W / 2, H / 2))} aria-label={t('commandMap.zoomOut')}>
          −
        </button>
        <button
          type="button"
          onClick={() => {
            setFitKey((n) => n + 1);
            setView(IDENTITY);
          }}
        >
          {t('commandMap.fit')}
        </button>
      </div>
      <svg
        ref={svgRef}
        className="cm-svg"
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-label={t('commandMap.mapLabel')}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={onPointerUp}
        onPointerCancel={onPointerUp}
      >
        <rect className="cm-sea" width={W} height={H} />
        <g transform={`translate(${view.x},${view.y}) scale(${view.k})`}>
          {tiles.map((tile) => (
            <image key={tile.key} href={tile.url} x={tile.x} y={tile.y} width={tile.size} height={tile.size} preserveAspectRatio="none" />
          ))}
          {outlines ? (
            <>
              <g className={`cm-countries${tiles.length ? ' cm-over-tiles' : ''}`} strokeWidth={stroke}>
                {outlines.countries.map((o) => (
                  <path key={o.key} d={o.d} />
                ))}
              </g>
              <g className="cm-provinces" strokeWidth={stroke * 0.7}>
                {outlines.provinces.map((o) => (
                  <path key={o.key} d={o.d} />
                ))}
              </g>
            </>
          ) : null}
          {layers.heat ? (
            <g className="cm-heat">
              {data.heat.cells.map((c) => {
                const [x0, y0] = projection([c.lng - cellDeg / 2, c.lat + cellDeg / 2]) ?? [0, 0];
                const [x1, y1] = projection([c.lng + cellDeg / 2, c.lat - cellDeg / 2]) ?? [0, 0];
                return (
                  <rect key={`${c.lat},${c.lng}`} x={x0} y={y0} width={x1 - x0} height={y1 - y0} fillOpacity={0.15 + 0.6 * (c.n / heatMax)}>
                    <title>{t('commandMap.heatCell', { n: c.n })}</title>
                  </rect>
                );
              })}
            </g>
          ) : null}
          {layers.assignments ? (
            <g className="cm-assignments">
              {data.assignments.map((a) => {
                const [x, y] = projection([a.lng, a.lat]) ?? [0, 0];
                const r = Math.max(a.radiusM * pixelsPerMetre(projection.scale(), a.lat), 3 / view.k);
                return (
                  <circle
                    key={a.id}
                    data-assignment={a.id}
                    className={`cm-area cm-s-${a.status}${a.overdue ? ' cm-overdue' : ''}`}
                    cx={x}
                    cy={y}
                    r={r}
                    strokeWidth={(a.overdue ? 3 : 1.5) / view.k}
                  >
                    <title>{`${a.title} · ${t(`commandMap.status.${a.status}`)}${a.overdue ? ` · ${t('commandMap.overdue')}` : ''}`}</title>
                  </circle>
                );
              })}
            </g>
          ) : null}
        </g>
        {layers.assignments ? (
          <g className="cm-assignment-labels">
            {data.assignments.map((a) => {
              const [x, y] = screen(a.lng, a.lat);
              return (
                <g key={a.id} transform={`translate(${x},${y})`}>
                  <rect className={`cm-pin cm-s-${a.status}${a.overdue ? ' cm-overdue' : ''}`} x={-5} y={-5} width={10} height={10} transform="rotate(45)" />
                  {/* Above the pin: people's labels sit to the right of their dots. */}
                  <text y={-11} textAnchor="middle">
                    {a.overdue ? `⚠ ${a.title}` : a.title}
                  </text>
                </g>
              );
            })}
          </g>
        ) : null}
        {layers.kiosks ? (
          <g className="cm-kiosks">
            {data.kiosks.map((k) => {
              const [x, y] = screen(k.lng, k.lat);
              const label = t('commandMap.kioskLabel', { name: k.name, place: k.placeName, health: t(`kioskAdmin.healthName.${k.health}`) });
              return (
                <g
                  key={k.id}
                  className={`cm-kiosk kiosk-health-${k.health}`}
                  data-kiosk={k.id}
                  transform={`translate(${x},${y})`}
                  role="img"
                  aria-label={label}
                >
                  <title>{label}</title>
                  {/* A screen on its post: unlike people (dots) and assignments (diamonds). */}
                  <rect x={-6} y={-14} width={12} height={16} rx={1.5} />
                  <line x1={0} y1={2} x2={0} y2={7} />
                  <text x={10} y={-3}>
                    {k.name}
                  </text>
                </g>
              );
            })}
          </g>
        ) : null}
        {layers.people ? (
          <g className="cm-people">
            {data.people.map((p) => (
              <PersonMarker key={`${p.assignmentId}:${p.userId}`} person={p} at={screen(p.lng, p.lat)} now={now} lang={i18n.language} />
            ))}
          </g>
        ) : null}
      </svg>
      {!base && !baseError ? <p className="cm-note">{t('commandMap.loadingBase')}</p> : null}
    </div>
  );
}

function PersonMarker({ person, at, now, lang }: { person: Person; at: [number, number]; now: number; lang: string }) {
  const { t } = useTranslation();
  const stale = now - new Date(person.lastSeenAt).getTime() > LOCATION_LIMITS.staleAfterMs;
  const label = personLabel(person, { now, lang, t });
  return (
    <g
      className={`cm-person${stale ? ' cm-stale' : ''}`}
      data-user={person.userId}
      transform={`translate(${at[0]},${at[1]})`}
      role="img"
      aria-label={`${person.name} · ${label.seen}${stale ? ` (${t('commandMap.staleMark')})` : ''}`}
    >
      <title>{[person.name, label.seen, label.detail].filter(Boolean).join(' · ')}</title>
      <circle r={7} />
      <text className="cm-name" x={11} y={-2}>
        {person.name}
      </text>
      <text className="cm-seen" x={11} y={12}>
        {[label.seen, label.detail].filter(Boolean).join(' · ')}
      </text>
    </g>
  );
}
