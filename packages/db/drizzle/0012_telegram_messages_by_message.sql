-- tikethet:no-transaction
-- Issue 16: the topic mirror copies a customer's Telegram message into the ticket's topic, so it looks up
-- the Telegram message a ticket message came from (and whether an agent wrote it in the topic itself).
CREATE INDEX CONCURRENTLY IF NOT EXISTS "telegram_messages_message_idx" ON "telegram_messages" ("message_id") WHERE "message_id" IS NOT NULL;
