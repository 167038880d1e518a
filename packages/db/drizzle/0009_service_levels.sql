-- Service levels (issue 17): business hours, SLA targets per priority, assignment and the out-of-hours reply
-- (one settings row), the SLA timers on tickets, and each agent's availability.
--
-- The timers are kept here once, as a trigger on tickets, so every writer keeps them in its own statement (the
-- API's use-cases, the one-statement message write, the bot's batch ingest): writers record facts (status,
-- priority, first_response_at, and sla_awaiting_since: the oldest customer message no agent has answered yet),
-- and tikethet_sla_maintain() derives the due times from them in business time:
--   first response  created_at + firstResponseMin, until the first agent reply;
--   next response   sla_awaiting_since + nextResponseMin, once answered before, until an agent replies;
--   resolution      sla_resolution_since (creation or the last reopen) + resolutionMin + the business time
--                   spent pending (the clock stops while the ticket waits for the customer).
-- sla_due_at is the nearest of the three (what `sort=due` and `sla=breached|due_soon` walk, index in 0010).
-- A timer that stops or moves after its due time leaves sla_breached_at (the first breach, kept).
-- The nearest due time is scheduled as one graphile-worker job per ticket (job_key sla:<id>, replaced when it
-- moves, removed when no timer runs): the worker warns 15 minutes before and at the breach.
CREATE TABLE "service_levels" (
	"id" boolean PRIMARY KEY DEFAULT true NOT NULL,
	"settings" jsonb NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "service_levels_one_row" CHECK ("id")
);
--> statement-breakpoint
INSERT INTO "service_levels" ("settings") VALUES ('{
  "timezone": "Europe/Moscow",
  "hours": {
    "mon": [["09:00", "18:00"]], "tue": [["09:00", "18:00"]], "wed": [["09:00", "18:00"]],
    "thu": [["09:00", "18:00"]], "fri": [["09:00", "18:00"]], "sat": [], "sun": []
  },
  "holidays": [],
  "targets": {
    "low": {"firstResponseMin": 480, "nextResponseMin": 960, "resolutionMin": 4320},
    "normal": {"firstResponseMin": 240, "nextResponseMin": 480, "resolutionMin": 1440},
    "high": {"firstResponseMin": 60, "nextResponseMin": 120, "resolutionMin": 480},
    "urgent": {"firstResponseMin": 15, "nextResponseMin": 30, "resolutionMin": 240}
  },
  "assignment": {"mode": "manual", "maxOpenPerAgent": 10},
  "autoReply": {
    "enabled": true,
    "ru": "Спасибо! Сейчас мы не на связи. Ответим в рабочее время, ориентировочно {time}.",
    "en": "Thanks! We are away right now and will answer during business hours, around {time}."
  }
}'::jsonb);
--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "sla_first_response_due_at" timestamp with time zone;
--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "sla_next_response_due_at" timestamp with time zone;
--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "sla_resolution_due_at" timestamp with time zone;
--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "sla_due_at" timestamp with time zone;
--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "sla_breached_at" timestamp with time zone;
--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "sla_paused_at" timestamp with time zone;
--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "sla_paused_seconds" double precision DEFAULT 0 NOT NULL;
--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "sla_awaiting_since" timestamp with time zone;
--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "sla_resolution_since" timestamp with time zone;
--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "sla_alerted" text;
--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "auto_replied_at" timestamp with time zone;
--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "availability" text DEFAULT 'online' NOT NULL;
--> statement-breakpoint
ALTER TABLE "users" ADD CONSTRAINT "users_availability_check" CHECK ("availability" in ('online','away'));
--> statement-breakpoint
-- Round-robin hands the next ticket to the online agent who got one longest ago.
ALTER TABLE "users" ADD COLUMN "last_assigned_at" timestamp with time zone;
--> statement-breakpoint
-- The business-hours intervals [opens, closes) that end after from_ts, for the local days from the day before
-- from_ts's (its overnight span may still be open) to `days` days after it, in order. A span whose end is not
-- after its start runs past midnight into the next day; "24:00" ends at midnight. A holiday drops the spans
-- that start on it. Local times become instants in the settings' time zone, so DST is Postgres's.
CREATE FUNCTION "tikethet_business_intervals"(s jsonb, from_ts timestamptz, days integer)
RETURNS TABLE (opens timestamptz, closes timestamptz) LANGUAGE plpgsql STABLE AS $$
DECLARE
	tz text := s->>'timezone';
	d date := (from_ts AT TIME ZONE tz)::date - 1;
	last_day date := d + days + 1;
	span jsonb;
	a time;
	b time;
BEGIN
	WHILE d <= last_day LOOP
		IF NOT coalesce(s->'holidays', '[]'::jsonb) ? to_char(d, 'YYYY-MM-DD') THEN
			FOR span IN
				SELECT x.value FROM jsonb_array_elements(
					coalesce(s->'hours'->((ARRAY['sun','mon','tue','wed','thu','fri','sat'])[extract(dow FROM d)::int + 1]), '[]'::jsonb)
				) x ORDER BY x.value->>0
			LOOP
				a := (span->>0)::time;
				b := (span->>1)::time;
				opens := (d + a) AT TIME ZONE tz;
				closes := (CASE WHEN b > a THEN d + b ELSE d + 1 + b END) AT TIME ZONE tz;
				IF closes > from_ts THEN RETURN NEXT; END IF;
			END LOOP;
		END IF;
		d := d + 1;
	END LOOP;
END $$;
--> statement-breakpoint
-- The instant `seconds` of business time after start_ts (seconds = 0: start_ts itself when within business
-- hours, else the next opening). Null when the schedule has no business hours within about a year.
CREATE FUNCTION "tikethet_business_add"(s jsonb, start_ts timestamptz, seconds double precision)
RETURNS timestamptz LANGUAGE plpgsql STABLE AS $$
DECLARE
	cur timestamptz := start_ts;
	win timestamptz;
	remaining double precision := greatest(seconds, 0);
	available double precision;
	iv record;
BEGIN
	IF start_ts IS NULL OR seconds IS NULL THEN RETURN NULL; END IF;
	FOR round IN 1..27 LOOP
		win := cur;
		FOR iv IN SELECT * FROM tikethet_business_intervals(s, win, 14) LOOP
			CONTINUE WHEN iv.closes <= cur;
			available := extract(epoch FROM iv.closes - greatest(iv.opens, cur));
			IF remaining <= available THEN
				RETURN greatest(iv.opens, cur) + make_interval(secs => remaining);
			END IF;
			remaining := remaining - available;
			cur := iv.closes;
		END LOOP;
		cur := greatest(cur, win + interval '14 days');
	END LOOP;
	RETURN NULL;
END $$;
--> statement-breakpoint
-- Business seconds between two instants (0 when to_ts is not after from_ts).
CREATE FUNCTION "tikethet_business_seconds"(s jsonb, from_ts timestamptz, to_ts timestamptz)
RETURNS double precision LANGUAGE plpgsql STABLE AS $$
DECLARE
	cur timestamptz := from_ts;
	win timestamptz;
	total double precision := 0;
	iv record;
BEGIN
	IF from_ts IS NULL OR to_ts IS NULL THEN RETURN 0; END IF;
	WHILE cur < to_ts LOOP
		win := cur;
		FOR iv IN SELECT * FROM tikethet_business_intervals(s, win, 14) LOOP
			CONTINUE WHEN iv.closes <= cur;
			EXIT WHEN iv.opens >= to_ts;
			total := total + extract(epoch FROM least(iv.closes, to_ts) - greatest(iv.opens, cur));
			cur := least(iv.closes, to_ts);
		END LOOP;
		cur := greatest(cur, least(win + interval '14 days', to_ts));
	END LOOP;
	RETURN total;
END $$;
--> statement-breakpoint
CREATE FUNCTION "tikethet_sla_maintain"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	s jsonb;
	t jsonb;
BEGIN
	IF TG_OP = 'INSERT' THEN
		NEW.sla_resolution_since := coalesce(NEW.sla_resolution_since, NEW.created_at);
		IF NEW.status = 'pending' THEN NEW.sla_paused_at := coalesce(NEW.sla_paused_at, now()); END IF;
	ELSE
		IF NEW.status IS NOT DISTINCT FROM OLD.status AND NEW.priority IS NOT DISTINCT FROM OLD.priority
			AND NEW.first_response_at IS NOT DISTINCT FROM OLD.first_response_at
			AND NEW.sla_awaiting_since IS NOT DISTINCT FROM OLD.sla_awaiting_since THEN
			RETURN NEW;
		END IF;
		IF NEW.status IS DISTINCT FROM OLD.status THEN
			IF OLD.status = 'pending' AND OLD.sla_paused_at IS NOT NULL THEN
				s := (SELECT settings FROM service_levels);
				NEW.sla_paused_seconds := NEW.sla_paused_seconds + tikethet_business_seconds(s, OLD.sla_paused_at, now());
				NEW.sla_paused_at := NULL;
			END IF;
			IF OLD.status IN ('resolved', 'closed') AND NEW.status IN ('new', 'open', 'pending') THEN
				NEW.sla_resolution_since := now();
				NEW.sla_paused_seconds := 0;
			END IF;
			IF NEW.status = 'pending' THEN NEW.sla_paused_at := now(); END IF;
		END IF;
	END IF;
	s := coalesce(s, (SELECT settings FROM service_levels));
	t := s->'targets'->NEW.priority;
	NEW.sla_first_response_due_at := CASE WHEN NEW.status IN ('new', 'open', 'pending') AND NEW.first_response_at IS NULL
		THEN tikethet_business_add(s, NEW.created_at, 60 * (t->>'firstResponseMin')::double precision) END;
	NEW.sla_next_response_due_at := CASE WHEN NEW.status IN ('new', 'open') AND NEW.first_response_at IS NOT NULL
		AND NEW.sla_awaiting_since IS NOT NULL
		THEN tikethet_business_add(s, NEW.sla_awaiting_since, 60 * (t->>'nextResponseMin')::double precision) END;
	NEW.sla_resolution_due_at := CASE WHEN NEW.status IN ('new', 'open')
		THEN tikethet_business_add(s, NEW.sla_resolution_since,
			60 * (t->>'resolutionMin')::double precision + NEW.sla_paused_seconds) END;
	NEW.sla_due_at := least(NEW.sla_first_response_due_at, NEW.sla_next_response_due_at, NEW.sla_resolution_due_at);
	IF TG_OP = 'UPDATE' AND OLD.sla_due_at < now() AND NEW.sla_due_at IS DISTINCT FROM OLD.sla_due_at THEN
		NEW.sla_breached_at := coalesce(NEW.sla_breached_at, OLD.sla_due_at);
	END IF;
	RETURN NEW;
END $$;
--> statement-breakpoint
CREATE TRIGGER "tickets_sla_maintain" BEFORE INSERT OR UPDATE ON "tickets"
	FOR EACH ROW EXECUTE FUNCTION tikethet_sla_maintain();
--> statement-breakpoint
-- One timer job per ticket at its next moment (15 minutes before the nearest due time, or the due time itself
-- when that is sooner), in the writing transaction: committed with the change or not at all.
CREATE FUNCTION "tikethet_sla_schedule"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'UPDATE' AND NEW.sla_due_at IS NOT DISTINCT FROM OLD.sla_due_at THEN RETURN NULL; END IF;
	IF to_regnamespace('graphile_worker') IS NULL THEN RETURN NULL; END IF;
	IF NEW.sla_due_at IS NULL THEN
		IF TG_OP = 'UPDATE' THEN PERFORM graphile_worker.remove_job('sla:' || NEW.id); END IF;
	ELSE
		PERFORM graphile_worker.add_job('sla_timer', json_build_object('ticketId', NEW.id),
			run_at := greatest(NEW.sla_due_at - interval '15 minutes', now()),
			job_key := 'sla:' || NEW.id, job_key_mode := 'replace', max_attempts := 25);
	END IF;
	RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "tickets_sla_schedule" AFTER INSERT OR UPDATE ON "tickets"
	FOR EACH ROW EXECUTE FUNCTION tikethet_sla_schedule();
