-- tikethet:no-transaction
-- The tickets export (issue 17) walks the tickets created in its range in (created_at, id) order, a page at a
-- time: this index serves both the range and the cursor.
CREATE INDEX CONCURRENTLY IF NOT EXISTS "tickets_created_idx" ON "tickets" USING btree ("created_at", "id");
