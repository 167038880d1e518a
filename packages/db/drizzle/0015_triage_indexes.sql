-- tikethet:no-transaction
-- Indexes of issue 19, built CONCURRENTLY (writes go on while they build; each statement is safe to rerun).
--
-- `tag=` filters: the GIN index hands over a rare tag's tickets as a small bitmap; for a common tag the planner
-- walks the list's own order (tickets_last_message_idx) and stops after a page, so neither reads the table.
CREATE INDEX CONCURRENTLY IF NOT EXISTS "tickets_tags_idx" ON "tickets" USING gin ("tags");
--> statement-breakpoint
-- Merges flatten chains: the tickets merged into one that is merged in turn are found here.
CREATE INDEX CONCURRENTLY IF NOT EXISTS "tickets_merged_into_idx" ON "tickets" USING btree ("merged_into_id") WHERE "merged_into_id" IS NOT NULL;
--> statement-breakpoint
-- Staff find a customer by the beginning of the phone's digits (`LIKE '7999%'`).
CREATE INDEX CONCURRENTLY IF NOT EXISTS "users_phone_idx" ON "users" USING btree ("phone" text_pattern_ops) WHERE "phone" IS NOT NULL;
--> statement-breakpoint
-- The stats' newest CSAT comments of a range.
CREATE INDEX CONCURRENTLY IF NOT EXISTS "ratings_comment_recent_idx" ON "ratings" USING btree ("created_at" DESC) WHERE "comment" IS NOT NULL;
