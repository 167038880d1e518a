-- Cheaper business-time arithmetic (issue 17), same results (business-time.test.ts holds them against the
-- minute-by-minute reference): tikethet_business_intervals reads a day's spans without a query unless the day
-- has several (sorted then), and _add / _seconds read 3 local days first, then 7, then 14 at a time, since
-- most due times fall within the first days. Measured on the default schedule (1000 starts a minute apart):
-- the next opening or 240 business minutes 0.35 -> 0.034 ms each, 1440 business minutes 0.40 -> 0.10 ms.
CREATE OR REPLACE FUNCTION "tikethet_business_intervals"(s jsonb, from_ts timestamptz, days integer)
RETURNS TABLE (opens timestamptz, closes timestamptz) LANGUAGE plpgsql STABLE AS $$
DECLARE
	tz text := s->>'timezone';
	hours jsonb := s->'hours';
	holidays jsonb := coalesce(s->'holidays', '[]'::jsonb);
	names text[] := ARRAY['sun','mon','tue','wed','thu','fri','sat'];
	d date := (from_ts AT TIME ZONE tz)::date - 1;
	last_day date := d + days + 1;
	spans jsonb;
	n integer;
	a time;
	b time;
BEGIN
	WHILE d <= last_day LOOP
		spans := coalesce(hours->(names[extract(dow FROM d)::int + 1]), '[]'::jsonb);
		n := jsonb_array_length(spans);
		IF n > 0 AND NOT holidays ? to_char(d, 'YYYY-MM-DD') THEN
			IF n > 1 THEN
				spans := (SELECT jsonb_agg(x.value ORDER BY x.value->>0) FROM jsonb_array_elements(spans) x);
			END IF;
			FOR i IN 0..n - 1 LOOP
				a := (spans->i->>0)::time;
				b := (spans->i->>1)::time;
				opens := (d + a) AT TIME ZONE tz;
				closes := (CASE WHEN b > a THEN d + b ELSE d + 1 + b END) AT TIME ZONE tz;
				IF closes > from_ts THEN RETURN NEXT; END IF;
			END LOOP;
		END IF;
		d := d + 1;
	END LOOP;
END $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION "tikethet_business_add"(s jsonb, start_ts timestamptz, seconds double precision)
RETURNS timestamptz LANGUAGE plpgsql STABLE AS $$
DECLARE
	cur timestamptz := start_ts;
	win timestamptz;
	days integer;
	remaining double precision := greatest(seconds, 0);
	available double precision;
	iv record;
BEGIN
	IF start_ts IS NULL OR seconds IS NULL THEN RETURN NULL; END IF;
	FOR round IN 1..28 LOOP
		win := cur;
		days := CASE round WHEN 1 THEN 3 WHEN 2 THEN 7 ELSE 14 END;
		FOR iv IN SELECT * FROM tikethet_business_intervals(s, win, days) LOOP
			CONTINUE WHEN iv.closes <= cur;
			available := extract(epoch FROM iv.closes - greatest(iv.opens, cur));
			IF remaining <= available THEN
				RETURN greatest(iv.opens, cur) + make_interval(secs => remaining);
			END IF;
			remaining := remaining - available;
			cur := iv.closes;
		END LOOP;
		cur := greatest(cur, win + make_interval(days => days));
	END LOOP;
	RETURN NULL;
END $$;
--> statement-breakpoint
CREATE OR REPLACE FUNCTION "tikethet_business_seconds"(s jsonb, from_ts timestamptz, to_ts timestamptz)
RETURNS double precision LANGUAGE plpgsql STABLE AS $$
DECLARE
	cur timestamptz := from_ts;
	win timestamptz;
	days integer := 3;
	total double precision := 0;
	iv record;
BEGIN
	IF from_ts IS NULL OR to_ts IS NULL THEN RETURN 0; END IF;
	WHILE cur < to_ts LOOP
		win := cur;
		FOR iv IN SELECT * FROM tikethet_business_intervals(s, win, days) LOOP
			CONTINUE WHEN iv.closes <= cur;
			EXIT WHEN iv.opens >= to_ts;
			total := total + extract(epoch FROM least(iv.closes, to_ts) - greatest(iv.opens, cur));
			cur := least(iv.closes, to_ts);
		END LOOP;
		cur := greatest(cur, least(win + make_interval(days => days), to_ts));
		days := least(days * 2 + 1, 14);
	END LOOP;
	RETURN total;
END $$;
