-- The per-agent report (issue 17): per UTC day and agent, the tickets that agent resolved that day, kept by
-- triggers in the writing transaction like the team's rollup (0007), so a report reads at most one row per
-- (day, agent) of its range (≤ 366 days), whatever the size of tickets.
--
-- A ticket counts once, for its assignee, on the UTC day of its resolved_at, while it has both (a reopened
-- ticket leaves the report until it is resolved again; a reassigned one moves to its new assignee):
--   handled        1
--   sla_met        1 when it never breached a timer (sla_breached_at null: 0009 sets it at the breach, and at the
--                  resolution of a late ticket, in the same statement)
--   rated          1 when the customer rated it (tickets.rating, written with the ratings row), rating_sum its score
--   first_response_hist / resolution_hist: the bucket (0007's log-scale, tikethet_stats_bucket) of
--                  first_response_at - created_at and resolved_at - created_at.
-- The tickets trigger fires only when one of those columns changes; its name sorts after 0007's, so it takes
-- its row locks after 0007's rows (AFTER triggers fire in name order), always in (day, agent) order.
CREATE TABLE "agent_stats_daily" (
	"day" date NOT NULL,
	"agent_id" bigint NOT NULL,
	"handled" integer DEFAULT 0 NOT NULL,
	"sla_met" integer DEFAULT 0 NOT NULL,
	"rated" integer DEFAULT 0 NOT NULL,
	"rating_sum" integer DEFAULT 0 NOT NULL,
	"first_response_hist" integer[] DEFAULT array_fill(0, ARRAY[202]) NOT NULL,
	"resolution_hist" integer[] DEFAULT array_fill(0, ARRAY[202]) NOT NULL,
	CONSTRAINT "agent_stats_daily_day_agent_pk" PRIMARY KEY ("day", "agent_id")
) WITH (fillfactor = 50);
--> statement-breakpoint
-- One ticket's contribution, times n (+1 / -1); nothing while it is unassigned or unresolved.
CREATE TYPE "tikethet_agent_stats_delta" AS (
	"day" date,
	"agent_id" bigint,
	"n" integer,
	"sla_met" integer,
	"rated" integer,
	"rating_sum" integer,
	"first_bucket" integer,
	"resolution_bucket" integer
);
--> statement-breakpoint
CREATE FUNCTION tikethet_agent_stats_deltas(
	assignee_id bigint, created_at timestamptz, first_response_at timestamptz, resolved_at timestamptz,
	sla_breached_at timestamptz, rating smallint, n integer
) RETURNS SETOF "tikethet_agent_stats_delta" LANGUAGE sql IMMUTABLE AS $$
	SELECT (resolved_at AT TIME ZONE 'UTC')::date, assignee_id, n,
		CASE WHEN sla_breached_at IS NULL THEN n ELSE 0 END,
		CASE WHEN rating IS NOT NULL THEN n ELSE 0 END,
		coalesce(rating, 0) * n,
		tikethet_stats_bucket(created_at, first_response_at), tikethet_stats_bucket(created_at, resolved_at)
	WHERE assignee_id IS NOT NULL AND resolved_at IS NOT NULL
$$;
--> statement-breakpoint
CREATE FUNCTION tikethet_agent_stats_apply(deltas "tikethet_agent_stats_delta"[]) RETURNS void
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
END
$$;
--> statement-breakpoint
CREATE FUNCTION tikethet_agent_stats_tickets_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF TG_LEVEL = 'ROW' THEN
		PERFORM tikethet_agent_stats_apply(ARRAY(
			SELECT d FROM tikethet_agent_stats_deltas(OLD.assignee_id, OLD.created_at, OLD.first_response_at,
				OLD.resolved_at, OLD.sla_breached_at, OLD.rating, -1) d
			UNION ALL
			SELECT d FROM tikethet_agent_stats_deltas(NEW.assignee_id, NEW.created_at, NEW.first_response_at,
				NEW.resolved_at, NEW.sla_breached_at, NEW.rating, 1) d));
	ELSIF TG_OP = 'INSERT' THEN
		PERFORM tikethet_agent_stats_apply(ARRAY(
			SELECT d FROM agent_stats_new_rows r, tikethet_agent_stats_deltas(r.assignee_id, r.created_at,
				r.first_response_at, r.resolved_at, r.sla_breached_at, r.rating, 1) d));
	ELSIF TG_OP = 'DELETE' THEN
		PERFORM tikethet_agent_stats_apply(ARRAY(
			SELECT d FROM agent_stats_old_rows r, tikethet_agent_stats_deltas(r.assignee_id, r.created_at,
				r.first_response_at, r.resolved_at, r.sla_breached_at, r.rating, -1) d));
	END IF;
	RETURN NULL;
END
$$;
--> statement-breakpoint
-- Recomputes the report's rollup from tickets (the backfill below; after a bulk load without triggers; a test
-- checks it gives the rows the triggers keep). Writers of tickets wait meanwhile.
CREATE FUNCTION tikethet_agent_stats_rebuild() RETURNS void
LANGUAGE plpgsql SET work_mem = '64MB' SET jit = off AS $$
BEGIN
	LOCK TABLE tickets IN SHARE MODE;
	DELETE FROM agent_stats_daily;
	INSERT INTO agent_stats_daily (day, agent_id, handled, sla_met, rated, rating_sum, first_response_hist, resolution_hist)
	SELECT d.day, d.agent_id, sum(d.n)::integer, sum(d.sla_met)::integer, sum(d.rated)::integer,
		sum(d.rating_sum)::integer, coalesce(tikethet_stats_hist(d.first_bucket, d.n), array_fill(0, ARRAY[202])),
		coalesce(tikethet_stats_hist(d.resolution_bucket, d.n), array_fill(0, ARRAY[202]))
	FROM tickets t, tikethet_agent_stats_deltas(t.assignee_id, t.created_at, t.first_response_at, t.resolved_at,
		t.sla_breached_at, t.rating, 1) d
	WHERE t.resolved_at IS NOT NULL AND t.assignee_id IS NOT NULL
	GROUP BY d.day, d.agent_id;
END
$$;
--> statement-breakpoint
CREATE FUNCTION tikethet_agent_stats_truncated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	DELETE FROM agent_stats_daily;
	RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER tickets_stats_insert_agents AFTER INSERT ON tickets REFERENCING NEW TABLE AS agent_stats_new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION tikethet_agent_stats_tickets_changed();
--> statement-breakpoint
CREATE TRIGGER tickets_stats_delete_agents AFTER DELETE ON tickets REFERENCING OLD TABLE AS agent_stats_old_rows
	FOR EACH STATEMENT EXECUTE FUNCTION tikethet_agent_stats_tickets_changed();
--> statement-breakpoint
CREATE TRIGGER tickets_stats_update_agents AFTER UPDATE ON tickets FOR EACH ROW
	WHEN (OLD.assignee_id IS DISTINCT FROM NEW.assignee_id OR OLD.resolved_at IS DISTINCT FROM NEW.resolved_at
		OR OLD.created_at IS DISTINCT FROM NEW.created_at OR OLD.first_response_at IS DISTINCT FROM NEW.first_response_at
		OR OLD.sla_breached_at IS DISTINCT FROM NEW.sla_breached_at OR OLD.rating IS DISTINCT FROM NEW.rating)
	EXECUTE FUNCTION tikethet_agent_stats_tickets_changed();
--> statement-breakpoint
CREATE TRIGGER tickets_stats_truncate_agents AFTER TRUNCATE ON tickets
	FOR EACH STATEMENT EXECUTE FUNCTION tikethet_agent_stats_truncated();
--> statement-breakpoint
SELECT tikethet_agent_stats_rebuild();
