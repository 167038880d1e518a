-- tikethet:no-transaction
-- Indexes for production-size data (issue 14), built CONCURRENTLY: writes go on while they build. Each
-- statement runs on its own, outside a transaction, and is safe to run again.
--
-- The list's order is `last_message_at DESC, id DESC` (nulls first, Postgres's default for DESC). The indexes
-- of 0000 said DESC NULLS LAST, which that ORDER BY cannot walk, so every list sorted the whole table. These
-- replace them, one per filter of the queue, so each walks its index in order and stops after one page.
CREATE INDEX CONCURRENTLY IF NOT EXISTS "tickets_last_message_idx" ON "tickets" USING btree ("last_message_at" DESC, "id" DESC);
--> statement-breakpoint
CREATE INDEX CONCURRENTLY IF NOT EXISTS "tickets_customer_last_message_idx" ON "tickets" USING btree ("customer_id", "last_message_at" DESC, "id" DESC);
--> statement-breakpoint
CREATE INDEX CONCURRENTLY IF NOT EXISTS "tickets_status_last_message_idx" ON "tickets" USING btree ("status", "last_message_at" DESC, "id" DESC);
--> statement-breakpoint
CREATE INDEX CONCURRENTLY IF NOT EXISTS "tickets_priority_last_message_idx" ON "tickets" USING btree ("priority", "last_message_at" DESC, "id" DESC);
--> statement-breakpoint
CREATE INDEX CONCURRENTLY IF NOT EXISTS "tickets_category_last_message_idx" ON "tickets" USING btree ("category_id", "last_message_at" DESC, "id" DESC);
--> statement-breakpoint
CREATE INDEX CONCURRENTLY IF NOT EXISTS "tickets_assignee_last_message_idx" ON "tickets" USING btree ("assignee_id", "last_message_at" DESC, "id" DESC);
--> statement-breakpoint
-- The agents' working tabs: "unassigned" and "mine" (new, open, pending) hold few tickets of a big table.
CREATE INDEX CONCURRENTLY IF NOT EXISTS "tickets_unassigned_last_message_idx" ON "tickets" USING btree ("last_message_at" DESC, "id" DESC) WHERE "assignee_id" IS NULL AND "status" IN ('new', 'open', 'pending');
--> statement-breakpoint
CREATE INDEX CONCURRENTLY IF NOT EXISTS "tickets_working_assignee_idx" ON "tickets" USING btree ("assignee_id", "last_message_at" DESC, "id" DESC) WHERE "status" IN ('new', 'open', 'pending');
--> statement-breakpoint
DROP INDEX CONCURRENTLY IF EXISTS "tickets_activity_idx";
--> statement-breakpoint
DROP INDEX CONCURRENTLY IF EXISTS "tickets_customer_idx";
--> statement-breakpoint
DROP INDEX CONCURRENTLY IF EXISTS "tickets_assignee_idx";
--> statement-breakpoint
DROP INDEX CONCURRENTLY IF EXISTS "tickets_status_idx";
--> statement-breakpoint
-- Search: staff search internal notes too, so the message index holds every kind (customers' searches go
-- through their own tickets and filter notes out).
CREATE INDEX CONCURRENTLY IF NOT EXISTS "messages_search_all_idx" ON "messages" USING gin ("search");
--> statement-breakpoint
DROP INDEX CONCURRENTLY IF EXISTS "messages_search_idx";
--> statement-breakpoint
-- Customer name and @username by trigrams (pg_trgm is a trusted extension: a database owner may create it).
CREATE EXTENSION IF NOT EXISTS pg_trgm;
--> statement-breakpoint
CREATE INDEX CONCURRENTLY IF NOT EXISTS "users_name_trgm_idx" ON "users" USING gin ((lower("first_name" || ' ' || coalesce("last_name", '') || ' ' || coalesce("username", ''))) gin_trgm_ops);
