-- tikethet:no-transaction
-- `sort=due` and `sla=breached|due_soon` walk tickets by their nearest due time; only tickets with a running
-- timer are in it (issue 17).
CREATE INDEX CONCURRENTLY IF NOT EXISTS "tickets_sla_due_idx" ON "tickets" USING btree ("sla_due_at", "id") WHERE "sla_due_at" IS NOT NULL;
--> statement-breakpoint
CREATE INDEX CONCURRENTLY IF NOT EXISTS "tickets_assignee_sla_due_idx" ON "tickets" USING btree ("assignee_id", "sla_due_at", "id") WHERE "sla_due_at" IS NOT NULL;
