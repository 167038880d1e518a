-- The out-of-hours auto-reply (issue 17): a customer message written outside business hours queues one
-- graphile-worker job per ticket (`autoreply:<id>`, kept while queued); the job (use-case sendAutoReply)
-- answers at most once per off-hours period per ticket (tickets.auto_replied_at, 0009) with the expected time.
-- A trigger on messages, so every writer of customer messages (API, bot, batch) gets it unchanged.
CREATE FUNCTION "tikethet_auto_reply_schedule"() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	s jsonb;
BEGIN
	IF to_regnamespace('graphile_worker') IS NULL THEN RETURN NULL; END IF;
	s := (SELECT settings FROM service_levels);
	IF NOT coalesce((s->'autoReply'->>'enabled')::boolean, false) THEN RETURN NULL; END IF;
	-- Within business hours the next business instant is now itself.
	IF tikethet_business_add(s, now(), 0) IS NOT DISTINCT FROM now() THEN RETURN NULL; END IF;
	PERFORM graphile_worker.add_job('auto_reply', json_build_object('ticketId', NEW.ticket_id),
		job_key := 'autoreply:' || NEW.ticket_id, job_key_mode := 'preserve_run_at', max_attempts := 10);
	RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER "messages_auto_reply" AFTER INSERT ON "messages"
	FOR EACH ROW WHEN (NEW.kind = 'customer') EXECUTE FUNCTION tikethet_auto_reply_schedule();
--> statement-breakpoint
-- Defaults revised while untouched (the row still equals 0009's seed): the out-of-hours reply starts switched
-- off (an admin turns it on once the hours are theirs), and urgent's first response is 30 minutes, so its
-- warning does not fire the moment an urgent ticket is opened.
UPDATE "service_levels" SET "settings" = jsonb_set(jsonb_set("settings", '{autoReply,enabled}', 'false'),
	'{targets,urgent,firstResponseMin}', '30')
WHERE "settings" = '{
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
}'::jsonb;
