import { lazy, Suspense, useCallback, useEffect, useState } from 'react';
import { api, type CsvExport, downloadCsv, errorText } from '../../api';
import { type Route, useRouter } from '../../app/router';
import { useSession } from '../../app/session';
import { useMainButton } from '../../app/telegram';
import { formatDuration, t } from '../../i18n';
import { haptic } from '../../init';
import type { AgentReport, Stats } from '../../types';
import { ErrorState, Section, Spinner } from '../../ui/common';
import { AgentTable } from './AgentTable';
import { chartBars, rangeOf, STATS_RANGES, type StatsRangeDays } from './stats-range';
import { TagRename } from './TagRename';

const StatsChart = lazy(() => import('./StatsChart').then((m) => ({ default: m.StatsChart })));

/** Stats (agents and admins) and the way into agents, categories and canned replies. */
export function DashboardPage() {
  const { me } = useSession();
  const [stats, setStats] = useState<Stats | null>(null);
  const [report, setReport] = useState<AgentReport | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [exportError, setExportError] = useState<string | null>(null);
  // A preset (the tabs) or the two dates the user picked (days null).
  const [days, setDays] = useState<StatsRangeDays | null>(30);
  const [range, setRange] = useState(() => rangeOf(30));
  const admin = me.role === 'admin';
  const { push } = useRouter();

  const load = useCallback(() => {
    setError(null);
    let current = true;
    Promise.all([api.stats(range), api.agentReport(range)])
      .then(([s, r]) => {
        if (!current) return;
        setStats(s);
        setReport(r);
      })
      .catch((e) => current && setError(e));
    return () => {
      current = false;
    };
  }, [range]);
  const pickDate = (field: 'from' | 'to', value: string) => {
    if (!value) return;
    setDays(null);
    setStats(null);
    setRange((r) => ({ ...r, [field]: value }));
  };
  const exportCsv = (kind: CsvExport) => {
    haptic.selection();
    setExportError(null);
    downloadCsv(kind, range).catch((e) => setExportError(errorText(e)));
  };
  const agentName = (id: number | null | undefined) =>
    report?.agents.find((a) => a.agentId === id)?.name ?? null;
  useEffect(load, [load]);
  useMainButton(null);

  return (
    <main className="page" data-testid="dashboard">
      <h1 className="page__title">{t('admin.title')}</h1>
      <div className="segmented tabs" role="tablist" aria-label={t('admin.range')}>
        {STATS_RANGES.map((n) => (
          <button
            key={n}
            type="button"
            role="tab"
            aria-selected={days === n}
            data-testid={`range-${n}`}
            className={days === n ? 'segmented__item is-on' : 'segmented__item'}
            onClick={() => {
              haptic.selection();
              setStats(null);
              setDays(n);
              setRange(rangeOf(n));
            }}
          >
            {t('admin.lastDays', { n })}
          </button>
        ))}
      </div>
      <div className="report-range">
        {(['from', 'to'] as const).map((field) => (
          <label key={field}>
            {t(field === 'from' ? 'admin.from' : 'admin.to')}
            <input
              type="date"
              data-testid={`range-${field}`}
              value={range[field]}
              min={field === 'to' ? range.from : undefined}
              max={field === 'from' ? range.to : undefined}
              onChange={(e) => pickDate(field, e.target.value)}
            />
          </label>
        ))}
      </div>
      {error ? <ErrorState error={error} onRetry={load} /> : null}
      {!stats && !error ? <Spinner /> : null}
      {stats ? (
        <>
          <div className="stat-grid" data-testid="stats">
            <Stat label={t('admin.open')} value={String(stats.open)} testId="stat-open" />
            <Stat label={t('admin.pending')} value={String(stats.pending)} testId="stat-pending" />
            <Stat label={t('admin.new')} value={String(stats.new)} testId="stat-new" />
            <Stat
              label={t('admin.firstResponse')}
              value={formatDuration(stats.firstResponseMedianMs)}
              testId="stat-first-response"
            />
            <Stat
              label={t('admin.resolution')}
              value={formatDuration(stats.resolutionMedianMs)}
              testId="stat-resolution"
            />
            <Stat
              label={t('admin.csat')}
              value={stats.csat.average === null ? '—' : `${stats.csat.average.toFixed(1)} ★`}
              hint={t('admin.csatCount', { n: stats.csat.count })}
              testId="stat-csat"
            />
          </div>
          {report ? (
            <Section title={t('admin.agentsTable')}>
              <AgentTable rows={report.agents} />
              <div className="report-exports">
                {(['agents', 'tickets'] as const).map((kind) => (
                  <button
                    key={kind}
                    type="button"
                    className="button"
                    data-testid={`export-${kind}`}
                    onClick={() => exportCsv(kind)}
                  >
                    {t(kind === 'agents' ? 'admin.exportAgents' : 'admin.exportTickets')}
                  </button>
                ))}
              </div>
              {exportError ? (
                <p className="field__error" role="alert">
                  {exportError}
                </p>
              ) : null}
            </Section>
          ) : null}
          <Section title={chartBars(stats.perDay).weekly ? t('admin.perWeek') : t('admin.perDay')}>
            <Suspense fallback={<Spinner />}>
              <StatsChart perDay={stats.perDay} />
            </Suspense>
          </Section>
          {stats.tags?.length ? (
            <Section title={t('tags.title')}>
              <ul className="tags__list" data-testid="stats-tags">
                {stats.tags.map((x) => (
                  <li key={x.name} className="tag">
                    {x.name} <span className="hint">{x.tickets}</span>
                  </li>
                ))}
              </ul>
              {admin ? <TagRename tags={stats.tags} onDone={load} /> : null}
            </Section>
          ) : null}
          {stats.comments?.length ? (
            <Section title={t('admin.comments')}>
              <ul className="history" data-testid="stats-comments">
                {stats.comments.map((c) => (
                  <li key={c.ticketId} className="history__item">
                    <button
                      type="button"
                      className="link-button"
                      onClick={() => push({ name: 'ticket', id: c.ticketId })}
                    >
                      #{c.ticketId}
                    </button>{' '}
                    {'★'.repeat(c.score)} <q>{c.comment}</q>
                    {agentName(c.assigneeId) ? (
                      <span className="hint"> — {agentName(c.assigneeId)}</span>
                    ) : null}
                  </li>
                ))}
              </ul>
            </Section>
          ) : null}
        </>
      ) : null}
      <Section>
        <ul className="list list--plain">
          {admin ? <NavCell label={t('admin.agents')} to={{ name: 'agents' }} /> : null}
          {admin ? <NavCell label={t('admin.categories')} to={{ name: 'categories' }} /> : null}
          {admin ? <NavCell label={t('sla.title')} to={{ name: 'service-levels' }} /> : null}
          <NavCell label={t('admin.canned')} to={{ name: 'canned' }} />
        </ul>
      </Section>
    </main>
  );
}

function Stat({
  label,
  value,
  hint,
  testId,
}: {
  label: string;
  value: string;
  hint?: string;
  testId: string;
}) {
  return (
    <div className="stat" data-testid={testId}>
      <div className="stat__value">{value}</div>
      <div className="stat__label">{label}</div>
      {hint ? <div className="hint">{hint}</div> : null}
    </div>
  );
}

/** A list cell that leads to another screen: its name and a chevron. */
function NavCell({ label, to }: { label: string; to: Route }) {
  const { push } = useRouter();
  return (
    <li className="cell-item">
      <button type="button" className="cell" onClick={() => push(to)}>
        <span className="cell__title">{label}</span>
        <span className="chevron" aria-hidden="true">
          ›
        </span>
      </button>
    </li>
  );
}
