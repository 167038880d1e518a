import { formatDuration, t } from '../../i18n';
import type { AgentReportRow } from '../../types';

/**
 * The per-agent table of the stats screen: the tickets each agent resolved in the range. One row per agent whose
 * figures wrap onto more lines on a narrow phone or with large text (never wider than the screen).
 */
export function AgentTable({ rows }: { rows: AgentReportRow[] }) {
  if (rows.length === 0) {
    return (
      <p className="hint empty-hint" data-testid="agents-empty">
        {t('admin.agentsNoneResolved')}
      </p>
    );
  }
  return (
    <ul className="report-agents" data-testid="agents-table">
      {rows.map((r) => (
        <li key={r.agentId} className="report-agents__row" data-testid={`agent-row-${r.agentId}`}>
          <div className="report-agents__name" data-testid="agent-name">
            {r.name}
          </div>
          <dl className="report-agents__metrics">
            <Metric label={t('admin.handled')} value={String(r.handled)} id="handled" />
            <Metric
              label={t('admin.firstResponseShort')}
              value={formatDuration(r.firstResponseMedianMs)}
              id="first"
            />
            <Metric
              label={t('admin.resolutionShort')}
              value={formatDuration(r.resolutionMedianMs)}
              id="resolution"
            />
            <Metric
              label={t('admin.slaMet')}
              value={r.slaMetPercent === null ? '—' : `${r.slaMetPercent}%`}
              id="sla"
            />
            <Metric
              label={t('admin.csat')}
              value={r.csat.average === null ? '—' : `${r.csat.average.toFixed(1)} ★ (${r.csat.count})`}
              id="csat"
            />
          </dl>
        </li>
      ))}
    </ul>
  );
}

function Metric({ label, value, id }: { label: string; value: string; id: string }) {
  return (
    <div className="report-agents__metric">
      <dt>{label}</dt>
      <dd data-testid={`agent-${id}`}>{value}</dd>
    </div>
  );
}
