import { t } from '../../i18n';
import type { Stats } from '../../types';
import { chartBars } from './stats-range';

/** Hand-drawn SVG bars: created (button colour) and resolved (green) per day, or per week past a month. */
export function StatsChart({ perDay }: { perDay: Stats['perDay'] }) {
  if (perDay.length === 0) return <p className="hint">{t('admin.noData')}</p>;
  const days = chartBars(perDay).bars;
  const max = Math.max(1, ...days.map((d) => Math.max(d.created, d.resolved)));
  const width = 320;
  const height = 140;
  const top = 10;
  const bottom = 22;
  const slot = width / days.length;
  const bar = Math.max(2, Math.min(12, slot / 2 - 3));
  const scale = (v: number) => ((height - top - bottom) * v) / max;
  return (
    <figure className="chart" data-testid="stats-chart">
      <svg viewBox={`0 0 ${width} ${height}`} role="img" aria-label={t('admin.chartLabel')}>
        <line x1={0} x2={width} y1={height - bottom} y2={height - bottom} className="chart__axis" />
        {days.map((d, i) => {
          const x = i * slot + slot / 2;
          const hc = scale(d.created);
          const hr = scale(d.resolved);
          return (
            <g key={d.date}>
              <title>{`${d.date}: ${t('admin.created')} ${d.created}, ${t('admin.resolvedSeries')} ${d.resolved}`}</title>
              <rect
                x={x - bar - 1}
                y={height - bottom - hc}
                width={bar}
                height={hc}
                rx={2}
                className="chart__created"
              />
              <rect
                x={x + 1}
                y={height - bottom - hr}
                width={bar}
                height={hr}
                rx={2}
                className="chart__resolved"
              />
              {i % Math.ceil(days.length / 7) === 0 ? (
                <text x={x} y={height - 6} textAnchor="middle" className="chart__label">
                  {d.date.slice(5)}
                </text>
              ) : null}
            </g>
          );
        })}
      </svg>
      <figcaption className="chart__legend">
        <span className="legend legend--created">{t('admin.created')}</span>
        <span className="legend legend--resolved">{t('admin.resolvedSeries')}</span>
      </figcaption>
    </figure>
  );
}
