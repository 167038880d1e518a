import { statusLabel, t } from '../../i18n';
import { type Category, PRIORITIES, STATUSES, type TagCount } from '../../types';
import { choicesOf, SelectField } from '../../ui/fields';
import type { Filters } from './queue-model';

/** The queue's filters: status, priority, SLA, sort, category and tag (the tags in use, with their counts). */
export function QueueFiltersPanel({
  filters,
  categories,
  tags,
  onChange,
}: {
  filters: Filters;
  categories: Category[];
  tags: TagCount[];
  onChange: (patch: Partial<Filters>) => void;
}) {
  return (
    <div className="filters" data-testid="filters">
      <SelectField
        row
        label={t('ticket.status')}
        value={filters.status}
        choices={[
          { value: '', label: t('queue.anyStatus') },
          ...choicesOf(STATUSES, (s) => statusLabel(s, 'staff')),
        ]}
        onChange={(status) => onChange({ status })}
      />
      <SelectField
        row
        label={t('ticket.priority')}
        value={filters.priority}
        choices={[
          { value: '', label: t('queue.anyPriority') },
          ...choicesOf(PRIORITIES, (p) => t(`priority.${p}`)),
        ]}
        onChange={(priority) => onChange({ priority })}
      />
      <SelectField
        row
        label={t('queue.sla')}
        ariaLabel={t('queue.sla')}
        value={filters.sla}
        choices={[
          { value: '', label: t('queue.slaAny') },
          { value: 'breached', label: t('queue.slaBreached') },
          { value: 'due_soon', label: t('queue.slaDueSoon') },
        ]}
        onChange={(sla) => onChange({ sla })}
      />
      <SelectField
        row
        label={t('queue.sort')}
        ariaLabel={t('queue.sort')}
        value={filters.sort}
        choices={[
          { value: 'recent', label: t('queue.sortRecent') },
          { value: 'due', label: t('queue.sortDue') },
        ]}
        onChange={(sort) => onChange({ sort })}
      />
      <SelectField
        row
        label={t('ticket.category')}
        value={filters.category}
        choices={[
          { value: '', label: t('queue.anyCategory') },
          { value: 'none', label: t('new.noCategory') },
          ...categories.map((c) => ({ value: String(c.id), label: c.name })),
        ]}
        onChange={(category) => onChange({ category })}
      />
      <SelectField
        row
        label={t('queue.tag')}
        ariaLabel={t('queue.tag')}
        value={filters.tag}
        choices={[
          { value: '', label: t('queue.anyTag') },
          ...tags.map((x) => ({ value: x.name, label: `${x.name} (${x.tickets})` })),
          ...(filters.tag && !tags.some((x) => x.name === filters.tag)
            ? [{ value: filters.tag, label: filters.tag }]
            : []),
        ]}
        onChange={(tag) => onChange({ tag })}
      />
    </div>
  );
}
