-- Stats from a rollup kept in the writing transaction (issue 14): GET /stats reads 16 rows of status counts,
-- 16 small rows and one histogram row per day of the range, whatever the size of tickets and ratings.
--
-- The rule lives here once, as triggers, so every writer keeps it (the API's use-cases, the one-statement
-- message write, the bot's batch ingest, bulk SQL):
--   * ticket_status_counts: tickets per status, spread over 16 slots (ticket id % 16) so that concurrent writers
--     do not queue on one hot row; GET /stats sums the slots.
--   * ticket_stats_daily: per UTC day and slot: tickets created that day; tickets whose resolved_at falls on
--     that day; ratings given that day (count and sum of scores).
--   * ticket_stats_durations: per UTC day, for the tickets created that day, two histograms of durations: first
--     response (first_response_at - created_at) and resolution (resolved_at - created_at). One row per day (no
--     slots: 366 of them serve a year's range); it is written only when a first response or a resolution
--     changes, and the one-statement message write holds its lock for that statement alone.
-- Histogram buckets are log-scale, 8 per doubling: bucket 1 holds durations under 1 s; bucket k + 2 holds
-- [2^(k/8), 2^((k+1)/8)) s for k = 0..199; bucket 202 holds 2^25 s (388 days) and more. A median read from it
-- is the bucket's geometric middle: within 2^(1/16) - 1 = 4.4% of the exact median for durations from 1 s to
-- 388 days (within 0.5 s below 1 s).
--
-- Lock order, so that writers cannot deadlock on the rollup: every change first updates its slots' rows of
-- ticket_status_counts (in slot order; the row is touched even when no status changed), then its rows of
-- ticket_stats_daily in (day, slot) order, then its rows of ticket_stats_durations in day order. (A transaction
-- that changes several tickets in separate statements takes them in statement order; the app's use-cases
-- change one ticket per transaction.)
--
-- The three tables are updated in place all day: their pages keep room (fillfactor) so that an update stays on its
-- page (HOT) and a busy row does not leave a trail of dead versions in its index (2x cheaper writes, measured).
--
-- Bulk loads: a statement-level trigger collects the deltas of all inserted rows in memory. For millions of
-- rows in one statement, disable the triggers (`SET session_replication_role = replica`) and call
-- `SELECT tikethet_stats_rebuild()` afterwards.
CREATE TABLE "ticket_status_counts" (
	"slot" smallint PRIMARY KEY NOT NULL,
	"new" integer DEFAULT 0 NOT NULL,
	"open" integer DEFAULT 0 NOT NULL,
	"pending" integer DEFAULT 0 NOT NULL,
	"resolved" integer DEFAULT 0 NOT NULL,
	"closed" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "ticket_status_counts_slot_check" CHECK ("slot" between 0 and 15)
) WITH (fillfactor = 10);
--> statement-breakpoint
CREATE TABLE "ticket_stats_daily" (
	"day" date NOT NULL,
	"slot" smallint NOT NULL,
	"created" integer DEFAULT 0 NOT NULL,
	"resolved" integer DEFAULT 0 NOT NULL,
	"rated" integer DEFAULT 0 NOT NULL,
	"rating_sum" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "ticket_stats_daily_day_slot_pk" PRIMARY KEY ("day", "slot")
) WITH (fillfactor = 50);
--> statement-breakpoint
CREATE TABLE "ticket_stats_durations" (
	"day" date PRIMARY KEY NOT NULL,
	"first_response_hist" integer[] DEFAULT array_fill(0, ARRAY[202]) NOT NULL,
	"resolution_hist" integer[] DEFAULT array_fill(0, ARRAY[202]) NOT NULL
) WITH (fillfactor = 25);
--> statement-breakpoint
-- One change to the rollup: `n` (+1 or -1) times `status` in the slot's counts and a bucket in a histogram;
-- created, resolved, rated and rating_sum are already signed. `day` null: a status count only.
CREATE TYPE "tikethet_stats_delta" AS (
	"slot" smallint,
	"day" date,
	"status" text,
	"created" integer,
	"resolved" integer,
	"rated" integer,
	"rating_sum" integer,
	"first_bucket" integer,
	"resolution_bucket" integer,
	"n" integer
);
--> statement-breakpoint
-- The histogram bucket (1..202) of the duration from `since` to `until`; null when either is null.
CREATE FUNCTION tikethet_stats_bucket(since timestamptz, until timestamptz) RETURNS integer
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT CASE
		WHEN since IS NULL OR until IS NULL THEN NULL
		WHEN extract(epoch FROM until - since) < 1 THEN 1
		-- 11.541560327111707 = 8 / ln 2: eight buckets per doubling.
		ELSE least(202, 2 + floor(ln(extract(epoch FROM until - since)::float8) * 11.541560327111707)::integer)
	END
$$;
--> statement-breakpoint
-- What one ticket contributes to the rollup, times n.
CREATE FUNCTION tikethet_stats_ticket_deltas(
	id integer, status text, created_at timestamptz, first_response_at timestamptz, resolved_at timestamptz, n integer
) RETURNS SETOF "tikethet_stats_delta" LANGUAGE sql IMMUTABLE AS $$
	SELECT (id % 16)::smallint, (created_at AT TIME ZONE 'UTC')::date, status, n, 0, 0, 0,
		tikethet_stats_bucket(created_at, first_response_at), tikethet_stats_bucket(created_at, resolved_at), n
	UNION ALL
	SELECT (id % 16)::smallint, (resolved_at AT TIME ZONE 'UTC')::date, NULL::text, 0, n, 0, 0, NULL::integer, NULL::integer, n
	WHERE resolved_at IS NOT NULL
$$;
--> statement-breakpoint
-- What one rating contributes to the rollup, times n.
CREATE FUNCTION tikethet_stats_rating_deltas(ticket_id integer, score smallint, created_at timestamptz, n integer)
RETURNS SETOF "tikethet_stats_delta" LANGUAGE sql IMMUTABLE AS $$
	SELECT (ticket_id % 16)::smallint, (created_at AT TIME ZONE 'UTC')::date, NULL::text, 0, 0, n, n * score,
		NULL::integer, NULL::integer, n
$$;
--> statement-breakpoint
CREATE FUNCTION tikethet_stats_hist_step(h integer[], bucket integer, n integer) RETURNS integer[]
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
	IF bucket IS NULL OR n IS NULL OR n = 0 THEN
		RETURN h;
	END IF;
	IF h IS NULL THEN
		h := array_fill(0, ARRAY[202]);
	END IF;
	h[bucket] := h[bucket] + n;
	RETURN h;
END
$$;
--> statement-breakpoint
-- The histogram (202 counts) of (bucket, n) pairs; null when there is none.
CREATE AGGREGATE tikethet_stats_hist(integer, integer) (SFUNC = tikethet_stats_hist_step, STYPE = integer[]);
--> statement-breakpoint
CREATE FUNCTION tikethet_stats_hist_add(a integer[], b integer[]) RETURNS integer[]
LANGUAGE sql IMMUTABLE AS $$
	SELECT CASE WHEN b IS NULL THEN a
		ELSE (SELECT array_agg(x + y ORDER BY i) FROM unnest(a, b) WITH ORDINALITY AS u(x, y, i)) END
$$;
--> statement-breakpoint
-- Applies deltas: status rows (slot order), day rows ((day, slot) order), histograms (day order); see above.
CREATE FUNCTION tikethet_stats_apply(deltas "tikethet_stats_delta"[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
	IF cardinality(deltas) = 0 THEN
		RETURN;
	END IF;
	INSERT INTO ticket_status_counts AS c (slot, "new", "open", pending, resolved, closed)
	SELECT d.slot,
		coalesce(sum(d.n) FILTER (WHERE d.status = 'new'), 0),
		coalesce(sum(d.n) FILTER (WHERE d.status = 'open'), 0),
		coalesce(sum(d.n) FILTER (WHERE d.status = 'pending'), 0),
		coalesce(sum(d.n) FILTER (WHERE d.status = 'resolved'), 0),
		coalesce(sum(d.n) FILTER (WHERE d.status = 'closed'), 0)
	FROM unnest(deltas) d GROUP BY d.slot ORDER BY d.slot
	ON CONFLICT (slot) DO UPDATE SET "new" = c."new" + excluded."new", "open" = c."open" + excluded."open",
		pending = c.pending + excluded.pending, resolved = c.resolved + excluded.resolved,
		closed = c.closed + excluded.closed;
	INSERT INTO ticket_stats_daily AS s (day, slot, created, resolved, rated, rating_sum)
	SELECT g.day, g.slot, g.created, g.resolved, g.rated, g.rating_sum
	FROM (
		SELECT d.day, d.slot, sum(d.created)::integer AS created, sum(d.resolved)::integer AS resolved,
			sum(d.rated)::integer AS rated, sum(d.rating_sum)::integer AS rating_sum
		FROM unnest(deltas) d WHERE d.day IS NOT NULL GROUP BY d.day, d.slot
	) g
	-- A change that nets out on a day (a status change: -1 and +1) leaves its row alone.
	WHERE g.created <> 0 OR g.resolved <> 0 OR g.rated <> 0 OR g.rating_sum <> 0
	ORDER BY g.day, g.slot
	ON CONFLICT (day, slot) DO UPDATE SET created = s.created + excluded.created,
		resolved = s.resolved + excluded.resolved, rated = s.rated + excluded.rated,
		rating_sum = s.rating_sum + excluded.rating_sum;
	INSERT INTO ticket_stats_durations AS h (day, first_response_hist, resolution_hist)
	SELECT g.day, coalesce(g.first_hist, array_fill(0, ARRAY[202])), coalesce(g.resolution_hist, array_fill(0, ARRAY[202]))
	FROM (
		SELECT d.day, tikethet_stats_hist(d.first_bucket, d.n) AS first_hist,
			tikethet_stats_hist(d.resolution_bucket, d.n) AS resolution_hist
		FROM unnest(deltas) d
		WHERE d.day IS NOT NULL AND (d.first_bucket IS NOT NULL OR d.resolution_bucket IS NOT NULL)
		GROUP BY d.day
	) g
	WHERE NOT coalesce(0 = ALL (g.first_hist), true) OR NOT coalesce(0 = ALL (g.resolution_hist), true)
	ORDER BY g.day
	ON CONFLICT (day) DO UPDATE SET
		first_response_hist = tikethet_stats_hist_add(h.first_response_hist, excluded.first_response_hist),
		resolution_hist = tikethet_stats_hist_add(h.resolution_hist, excluded.resolution_hist);
END
$$;
--> statement-breakpoint
CREATE FUNCTION tikethet_stats_tickets_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF TG_LEVEL = 'ROW' THEN
		PERFORM tikethet_stats_apply(ARRAY(
			SELECT d FROM tikethet_stats_ticket_deltas(OLD.id, OLD.status, OLD.created_at, OLD.first_response_at, OLD.resolved_at, -1) d
			UNION ALL
			SELECT d FROM tikethet_stats_ticket_deltas(NEW.id, NEW.status, NEW.created_at, NEW.first_response_at, NEW.resolved_at, 1) d));
	ELSIF TG_OP = 'INSERT' THEN
		PERFORM tikethet_stats_apply(ARRAY(
			SELECT d FROM stats_new_rows r,
				tikethet_stats_ticket_deltas(r.id, r.status, r.created_at, r.first_response_at, r.resolved_at, 1) d));
	ELSIF TG_OP = 'DELETE' THEN
		PERFORM tikethet_stats_apply(ARRAY(
			SELECT d FROM stats_old_rows r,
				tikethet_stats_ticket_deltas(r.id, r.status, r.created_at, r.first_response_at, r.resolved_at, -1) d));
	END IF;
	RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE FUNCTION tikethet_stats_ratings_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'INSERT' THEN
		PERFORM tikethet_stats_apply(ARRAY(
			SELECT d FROM stats_new_rows r, tikethet_stats_rating_deltas(r.ticket_id, r.score, r.created_at, 1) d));
	ELSIF TG_OP = 'UPDATE' THEN
		PERFORM tikethet_stats_apply(ARRAY(
			SELECT d FROM stats_old_rows r, tikethet_stats_rating_deltas(r.ticket_id, r.score, r.created_at, -1) d
			UNION ALL
			SELECT d FROM stats_new_rows r, tikethet_stats_rating_deltas(r.ticket_id, r.score, r.created_at, 1) d));
	ELSIF TG_OP = 'DELETE' THEN
		PERFORM tikethet_stats_apply(ARRAY(
			SELECT d FROM stats_old_rows r, tikethet_stats_rating_deltas(r.ticket_id, r.score, r.created_at, -1) d));
	END IF;
	RETURN NULL;
END
$$;
--> statement-breakpoint
-- Recomputes the whole rollup from tickets and ratings (the backfill below; after a bulk load without triggers).
-- The same rule as tikethet_stats_ticket_deltas / tikethet_stats_rating_deltas, written as a few GROUP BYs
-- over the tables (a test checks that both give the same rows). Writers of tickets and ratings wait meanwhile.
CREATE FUNCTION tikethet_stats_rebuild() RETURNS void
LANGUAGE plpgsql SET work_mem = '64MB' SET jit = off AS $$
BEGIN
	LOCK TABLE tickets, ratings IN SHARE MODE;
	DELETE FROM ticket_stats_durations;
	DELETE FROM ticket_stats_daily;
	DELETE FROM ticket_status_counts;
	INSERT INTO ticket_status_counts (slot, "new", "open", pending, resolved, closed)
	SELECT s.slot, count(t.id) FILTER (WHERE t.status = 'new'), count(t.id) FILTER (WHERE t.status = 'open'),
		count(t.id) FILTER (WHERE t.status = 'pending'), count(t.id) FILTER (WHERE t.status = 'resolved'),
		count(t.id) FILTER (WHERE t.status = 'closed')
	FROM generate_series(0, 15) AS s(slot) LEFT JOIN tickets t ON t.id % 16 = s.slot
	GROUP BY s.slot;
	INSERT INTO ticket_stats_daily (day, slot, created, resolved, rated, rating_sum)
	SELECT day, slot, sum(created), sum(resolved), sum(rated), sum(rating_sum)
	FROM (
		SELECT (created_at AT TIME ZONE 'UTC')::date AS day, (id % 16)::smallint AS slot, count(*)::integer AS created,
			0 AS resolved, 0 AS rated, 0 AS rating_sum
		FROM tickets GROUP BY 1, 2
		UNION ALL
		SELECT (resolved_at AT TIME ZONE 'UTC')::date, (id % 16)::smallint, 0, count(*)::integer, 0, 0
		FROM tickets WHERE resolved_at IS NOT NULL GROUP BY 1, 2
		UNION ALL
		SELECT (created_at AT TIME ZONE 'UTC')::date, (ticket_id % 16)::smallint, 0, 0, count(*)::integer,
			sum(score)::integer
		FROM ratings GROUP BY 1, 2
	) parts
	GROUP BY day, slot;
	INSERT INTO ticket_stats_durations (day, first_response_hist, resolution_hist)
	SELECT day, coalesce(tikethet_stats_hist(bucket, n) FILTER (WHERE metric = 1), array_fill(0, ARRAY[202])),
		coalesce(tikethet_stats_hist(bucket, n) FILTER (WHERE metric = 2), array_fill(0, ARRAY[202]))
	FROM (
		SELECT (created_at AT TIME ZONE 'UTC')::date AS day, 1 AS metric,
			tikethet_stats_bucket(created_at, first_response_at) AS bucket, count(*)::integer AS n
		FROM tickets WHERE first_response_at IS NOT NULL GROUP BY 1, 3
		UNION ALL
		SELECT (created_at AT TIME ZONE 'UTC')::date, 2, tikethet_stats_bucket(created_at, resolved_at), count(*)::integer
		FROM tickets WHERE resolved_at IS NOT NULL GROUP BY 1, 3
	) buckets
	GROUP BY day;
END
$$;
--> statement-breakpoint
CREATE FUNCTION tikethet_stats_truncated() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	PERFORM tikethet_stats_rebuild();
	RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER tickets_stats_insert AFTER INSERT ON tickets REFERENCING NEW TABLE AS stats_new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION tikethet_stats_tickets_changed();
--> statement-breakpoint
CREATE TRIGGER tickets_stats_delete AFTER DELETE ON tickets REFERENCING OLD TABLE AS stats_old_rows
	FOR EACH STATEMENT EXECUTE FUNCTION tikethet_stats_tickets_changed();
--> statement-breakpoint
-- Row by row, and only when a counted column changed: the common ticket UPDATE (a new message) costs nothing.
CREATE TRIGGER tickets_stats_update AFTER UPDATE ON tickets FOR EACH ROW
	WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.created_at IS DISTINCT FROM NEW.created_at
		OR OLD.first_response_at IS DISTINCT FROM NEW.first_response_at
		OR OLD.resolved_at IS DISTINCT FROM NEW.resolved_at OR OLD.id IS DISTINCT FROM NEW.id)
	EXECUTE FUNCTION tikethet_stats_tickets_changed();
--> statement-breakpoint
CREATE TRIGGER tickets_stats_truncate AFTER TRUNCATE ON tickets
	FOR EACH STATEMENT EXECUTE FUNCTION tikethet_stats_truncated();
--> statement-breakpoint
CREATE TRIGGER ratings_stats_insert AFTER INSERT ON ratings REFERENCING NEW TABLE AS stats_new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION tikethet_stats_ratings_changed();
--> statement-breakpoint
CREATE TRIGGER ratings_stats_update AFTER UPDATE ON ratings REFERENCING OLD TABLE AS stats_old_rows NEW TABLE AS stats_new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION tikethet_stats_ratings_changed();
--> statement-breakpoint
CREATE TRIGGER ratings_stats_delete AFTER DELETE ON ratings REFERENCING OLD TABLE AS stats_old_rows
	FOR EACH STATEMENT EXECUTE FUNCTION tikethet_stats_ratings_changed();
--> statement-breakpoint
CREATE TRIGGER ratings_stats_truncate AFTER TRUNCATE ON ratings
	FOR EACH STATEMENT EXECUTE FUNCTION tikethet_stats_truncated();
--> statement-breakpoint
SELECT tikethet_stats_rebuild();
