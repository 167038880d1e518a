-- The per-agent report over long ranges (issue 17; bench/scale at 1M): agent_stats_daily (0018) has one row per
-- (day, agent), so a year of a busy team is 366 × agents rows whose two 202-count histograms the report sums
-- (14,640 rows, 5.9 million counts, about a second, with 40 agents). agent_stats_monthly holds the same sums per
-- UTC month (`month` is its first day), kept in the same call that keeps the daily rows: a report reads the
-- whole months of its range here and only the days at its two ends from the daily rows (≤ 12 + 62 rows per
-- agent). Lock order: every daily row of a call in (day, agent) order, then its monthly rows in (month, agent)
-- order, in every writer.
CREATE TABLE "agent_stats_monthly" (
	"month" date NOT NULL,
	"agent_id" bigint NOT NULL,
	"handled" integer DEFAULT 0 NOT NULL,
	"sla_met" integer DEFAULT 0 NOT NULL,
	"rated" integer DEFAULT 0 NOT NULL,
	"rating_sum" integer DEFAULT 0 NOT NULL,
	"first_response_hist" integer[] DEFAULT array_fill(0, ARRAY[202]) NOT NULL,
	"resolution_hist" integer[] DEFAULT array_fill(0, ARRAY[202]) NOT NULL,
	CONSTRAINT "agent_stats_monthly_month_agent_pk" PRIMARY KEY ("month", "agent_id"),
	CONSTRAINT "agent_stats_monthly_first_day" CHECK ("month" = date_trunc('month', "month")::date)
) WITH (fillfactor = 50);
--> statement-breakpoint
CREATE OR REPLACE FUNCTION tikethet_agent_stats_apply(deltas "tikethet_agent_stats_delta"[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	IF cardinality(deltas) = 0 THEN
		RETURN;
	END IF;
	INSERT INTO agent_stats_daily AS a (day, agent_id, handled, sla_met, rated, rating_sum, first_response_hist, resolution_hist)
	SELECT g.day, g.agent_id, g.handled, g.sla_met, g.rated, g.rating_sum,
		coalesce(g.first_hist, array_fill(0, ARRAY[202])), coalesce(g.resolution_hist, array_fill(0, ARRAY[202]))
	FROM (
		SELECT d.day, d.agent_id, sum(d.n)::integer AS handled, sum(d.sla_met)::integer AS sla_met,
			sum(d.rated)::integer AS rated, sum(d.rating_sum)::integer AS rating_sum,
			tikethet_stats_hist(d.first_bucket, d.n) AS first_hist,
			tikethet_stats_hist(d.resolution_bucket, d.n) AS resolution_hist
		FROM unnest(deltas) d GROUP BY d.day, d.agent_id
	) g
	-- A change that nets out (the same contribution taken away and given back) leaves the row alone.
	WHERE g.handled <> 0 OR g.sla_met <> 0 OR g.rated <> 0 OR g.rating_sum <> 0
		OR NOT coalesce(0 = ALL (g.first_hist), true) OR NOT coalesce(0 = ALL (g.resolution_hist), true)
	ORDER BY g.day, g.agent_id
	ON CONFLICT (day, agent_id) DO UPDATE SET handled = a.handled + excluded.handled,
		sla_met = a.sla_met + excluded.sla_met, rated = a.rated + excluded.rated,
		rating_sum = a.rating_sum + excluded.rating_sum,
		first_response_hist = tikethet_stats_hist_add(a.first_response_hist, excluded.first_response_hist),
		resolution_hist = tikethet_stats_hist_add(a.resolution_hist, excluded.resolution_hist);
	INSERT INTO agent_stats_monthly AS a (month, agent_id, handled, sla_met, rated, rating_sum, first_response_hist, resolution_hist)
	SELECT g.month, g.agent_id, g.handled, g.sla_met, g.rated, g.rating_sum,
		coalesce(g.first_hist, array_fill(0, ARRAY[202])), coalesce(g.resolution_hist, array_fill(0, ARRAY[202]))
	FROM (
		SELECT date_trunc('month', d.day)::date AS month, d.agent_id, sum(d.n)::integer AS handled,
			sum(d.sla_met)::integer AS sla_met, sum(d.rated)::integer AS rated, sum(d.rating_sum)::integer AS rating_sum,
			tikethet_stats_hist(d.first_bucket, d.n) AS first_hist,
			tikethet_stats_hist(d.resolution_bucket, d.n) AS resolution_hist
		FROM unnest(deltas) d GROUP BY 1, 2
	) g
	WHERE g.handled <> 0 OR g.sla_met <> 0 OR g.rated <> 0 OR g.rating_sum <> 0
		OR NOT coalesce(0 = ALL (g.first_hist), true) OR NOT coalesce(0 = ALL (g.resolution_hist), true)
	ORDER BY g.month, g.agent_id
	ON CONFLICT (month, agent_id) DO UPDATE SET handled = a.handled + excluded.handled,
		sla_met = a.sla_met + excluded.sla_met, rated = a.rated + excluded.rated,
		rating_sum = a.rating_sum + excluded.rating_sum,
		first_response_hist = tikethet_stats_hist_add(a.first_response_hist, excluded.first_response_hist),
		resolution_hist = tikethet_stats_hist_add(a.resolution_hist, excluded.resolution_hist);
END
$$;
--> statement-breakpoint
-- Recomputes both rollups from tickets (after a bulk load without triggers; a test checks it gives the rows the
-- triggers keep). Writers of tickets wait meanwhile.
CREATE OR REPLACE FUNCTION tikethet_agent_stats_rebuild() RETURNS void
LANGUAGE plpgsql SET work_mem = '64MB' SET jit = off AS $$
BEGIN
	LOCK TABLE tickets IN SHARE MODE;
	DELETE FROM agent_stats_daily;
	DELETE FROM agent_stats_monthly;
	CREATE TEMP TABLE agent_stats_rebuild_deltas ON COMMIT DROP AS
	SELECT d.* FROM tickets t, tikethet_agent_stats_deltas(t.assignee_id, t.created_at, t.first_response_at,
		t.resolved_at, t.sla_breached_at, t.rating, 1) d
	WHERE t.resolved_at IS NOT NULL AND t.assignee_id IS NOT NULL;
	INSERT INTO agent_stats_daily (day, agent_id, handled, sla_met, rated, rating_sum, first_response_hist, resolution_hist)
	SELECT d.day, d.agent_id, sum(d.n)::integer, sum(d.sla_met)::integer, sum(d.rated)::integer,
		sum(d.rating_sum)::integer, coalesce(tikethet_stats_hist(d.first_bucket, d.n), array_fill(0, ARRAY[202])),
		coalesce(tikethet_stats_hist(d.resolution_bucket, d.n), array_fill(0, ARRAY[202]))
	FROM agent_stats_rebuild_deltas d
	GROUP BY d.day, d.agent_id;
	INSERT INTO agent_stats_monthly (month, agent_id, handled, sla_met, rated, rating_sum, first_response_hist, resolution_hist)
	SELECT date_trunc('month', d.day)::date, d.agent_id, sum(d.n)::integer, sum(d.sla_met)::integer,
		sum(d.rated)::integer, sum(d.rating_sum)::integer,
		coalesce(tikethet_stats_hist(d.first_bucket, d.n), array_fill(0, ARRAY[202])),
		coalesce(tikethet_stats_hist(d.resolution_bucket, d.n), array_fill(0, ARRAY[202]))
	FROM agent_stats_rebuild_deltas d
	GROUP BY 1, 2;
	DROP TABLE agent_stats_rebuild_deltas;
END
$$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION tikethet_agent_stats_truncated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	DELETE FROM agent_stats_daily;
	DELETE FROM agent_stats_monthly;
	RETURN NULL;
END
$$;
--> statement-breakpoint
-- The backfill, from the daily rows (not tickets): only writers that change the daily rows wait meanwhile.
LOCK TABLE agent_stats_daily IN SHARE MODE;
--> statement-breakpoint
INSERT INTO agent_stats_monthly (month, agent_id, handled, sla_met, rated, rating_sum, first_response_hist, resolution_hist)
SELECT t.month, t.agent_id, t.handled, t.sla_met, t.rated, t.rating_sum,
	coalesce(h.first_hist, array_fill(0, ARRAY[202])), coalesce(h.resolution_hist, array_fill(0, ARRAY[202]))
FROM (
	SELECT date_trunc('month', day)::date AS month, agent_id, sum(handled)::integer AS handled,
		sum(sla_met)::integer AS sla_met, sum(rated)::integer AS rated, sum(rating_sum)::integer AS rating_sum
	FROM agent_stats_daily GROUP BY 1, 2
) t
LEFT JOIN (
	SELECT date_trunc('month', d.day)::date AS month, d.agent_id,
		tikethet_stats_hist(u.i::integer, u.f) AS first_hist, tikethet_stats_hist(u.i::integer, u.r) AS resolution_hist
	FROM agent_stats_daily d, unnest(d.first_response_hist, d.resolution_hist) WITH ORDINALITY AS u(f, r, i)
	WHERE u.f <> 0 OR u.r <> 0
	GROUP BY 1, 2
) h ON h.month = t.month AND h.agent_id = t.agent_id;
