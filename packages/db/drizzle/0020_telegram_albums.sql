-- Issue 15: a Telegram album (several messages sharing a media_group_id, delivered as separate updates) is ONE
-- ticket message. Its first item writes the message and this row; every later item finds the message here
-- and appends its file to it. `has_text` says whether the body is an item's caption (else a line naming the
-- file, which a later item's caption replaces). An album's files keep the album's order by `position`, the
-- Telegram message_id of the item they came in.
CREATE TABLE "telegram_albums" (
	"chat_id" bigint NOT NULL,
	"media_group_id" text NOT NULL,
	"message_id" bigint NOT NULL REFERENCES "messages"("id"),
	"has_text" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "telegram_albums_pk" PRIMARY KEY ("chat_id", "media_group_id")
);
--> statement-breakpoint
CREATE INDEX "telegram_albums_message_idx" ON "telegram_albums" ("message_id");
--> statement-breakpoint
ALTER TABLE "attachments" ADD COLUMN "position" bigint;
