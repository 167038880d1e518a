-- Changed service levels reach the tickets already running (as Zammad recalculates escalations): the
-- `sla_recompute` job walks the open tickets in id order and, with `tikethet.sla_recompute` set for its
-- transaction, touches each batch so that tikethet_sla_maintain() derives the due times again from the new
-- settings (the schedule trigger then moves their timer jobs). The function is 0009's, with that one extra
-- condition on its early return.
CREATE OR REPLACE FUNCTION "tikethet_sla_maintain"() RETURNS trigger LANGUAGE plpgsql AS $$
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
			AND NEW.sla_awaiting_since IS NOT DISTINCT FROM OLD.sla_awaiting_since
			AND coalesce(current_setting('tikethet.sla_recompute', true), '') <> 'on' THEN
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
