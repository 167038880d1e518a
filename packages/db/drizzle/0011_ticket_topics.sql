-- Forum topic mode (issue 16): each ticket's topic in the agents' forum group, and how far the bot has
-- mirrored the ticket's events into it. thread_id is null until the topic is created, and again after
-- Telegram said it is gone (a person deleted it): the next post creates it anew with a recap.
CREATE TABLE IF NOT EXISTS "ticket_topics" (
	"ticket_id" integer PRIMARY KEY NOT NULL REFERENCES "tickets"("id"),
	"chat_id" bigint NOT NULL,
	"thread_id" integer,
	"mirrored_seq" integer DEFAULT 0 NOT NULL,
	"name" text,
	"closed" boolean DEFAULT false NOT NULL,
	"lost" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
-- A message written in a topic finds its ticket by (chat, thread).
CREATE UNIQUE INDEX IF NOT EXISTS "ticket_topics_thread_uq" ON "ticket_topics" ("chat_id", "thread_id") WHERE "thread_id" IS NOT NULL;
--> statement-breakpoint
-- Outbox rows posted into their ticket's topic: the queue fills in message_thread_id when it sends them.
ALTER TABLE "telegram_outbox" ADD COLUMN IF NOT EXISTS "in_topic" boolean DEFAULT false NOT NULL;
