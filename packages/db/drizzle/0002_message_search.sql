ALTER TABLE "messages" ADD COLUMN "search" "tsvector" GENERATED ALWAYS AS (to_tsvector('russian'::regconfig, "body") || to_tsvector('english'::regconfig, "body")) STORED NOT NULL;--> statement-breakpoint
CREATE INDEX "messages_search_idx" ON "messages" USING gin ("search") WHERE "messages"."kind" <> 'note';--> statement-breakpoint
-- Messages carry their own words now: a ticket's vector goes back to its subject.
UPDATE "tickets" SET "search" = to_tsvector('russian'::regconfig, "subject") || to_tsvector('english'::regconfig, "subject");
