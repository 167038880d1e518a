-- Customers and triage (issue 19): free tags on tickets with their counts, the merged ticket's pointer, and what
-- the team knows about a customer (the phone they shared, verified or not; the staff's note).
--
-- Adding a column with a constant default is a catalogue change (no table rewrite), so this runs in a moment on
-- a million tickets. The indexes are built CONCURRENTLY in 0015.
ALTER TABLE "tickets" ADD COLUMN "tags" text[] DEFAULT '{}'::text[] NOT NULL;
--> statement-breakpoint
ALTER TABLE "tickets" ADD COLUMN "merged_into_id" integer REFERENCES "tickets"("id");
--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "phone" text;
--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "phone_verified" boolean DEFAULT false NOT NULL;
--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "note" text;
--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "note_updated_at" timestamp with time zone;
--> statement-breakpoint
ALTER TABLE "users" ADD COLUMN "note_updated_by" bigint;
--> statement-breakpoint
-- Tag counts kept in the writing transaction (like the stats rollup of 0007), so the tag list and the stats
-- never count tickets. A name stays when its count drops to 0 (lists show counts above 0).
CREATE TABLE "tags" (
	"name" text PRIMARY KEY NOT NULL,
	"tickets" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "tags_tickets_check" CHECK ("tickets" >= 0)
);
--> statement-breakpoint
-- The difference between a row's old and new tags, one name at a time in name order: every writer locks tag
-- rows in the same order (after its ticket rows), so two writers cannot deadlock on them.
CREATE FUNCTION tikethet_tags_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	d record;
BEGIN
	FOR d IN
		SELECT x.name, sum(x.n)::int AS n FROM (
			SELECT DISTINCT unnest(CASE WHEN TG_OP = 'DELETE' THEN '{}'::text[] ELSE NEW.tags END) AS name, 1 AS n
			UNION ALL
			SELECT DISTINCT unnest(CASE WHEN TG_OP = 'INSERT' THEN '{}'::text[] ELSE OLD.tags END), -1
		) x GROUP BY x.name HAVING sum(x.n) <> 0 ORDER BY x.name
	LOOP
		INSERT INTO tags AS t (name, tickets) VALUES (d.name, greatest(d.n, 0))
			ON CONFLICT (name) DO UPDATE SET tickets = greatest(t.tickets + d.n, 0);
	END LOOP;
	RETURN NULL;
END $$;
--> statement-breakpoint
CREATE TRIGGER tickets_tags_insert AFTER INSERT ON tickets FOR EACH ROW
	WHEN (cardinality(NEW.tags) > 0) EXECUTE FUNCTION tikethet_tags_changed();
--> statement-breakpoint
CREATE TRIGGER tickets_tags_update AFTER UPDATE OF tags ON tickets FOR EACH ROW
	WHEN (OLD.tags IS DISTINCT FROM NEW.tags) EXECUTE FUNCTION tikethet_tags_changed();
--> statement-breakpoint
CREATE TRIGGER tickets_tags_delete AFTER DELETE ON tickets FOR EACH ROW
	WHEN (cardinality(OLD.tags) > 0) EXECUTE FUNCTION tikethet_tags_changed();
