-- Files uploaded in the Mini App: their bytes live apart from `attachments`, in `blobs` (one row per file)
-- and `blob_chunks` (the bytes in 256 KiB rows, written and read one chunk at a time so no process holds a
-- whole file), or in an S3-compatible bucket when one is configured (`store` = 's3', `key` names the object).
-- An attachment points at Telegram (telegram_file_id), at a blob, or both (an upload Telegram then took).
CREATE TABLE "blobs" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"store" text NOT NULL,
	"key" text,
	"size" bigint NOT NULL,
	"sha256" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "blobs_store_check" CHECK ("store" in ('pg','s3')),
	CONSTRAINT "blobs_key_check" CHECK (("store" = 's3') = ("key" is not null))
);
--> statement-breakpoint
CREATE TABLE "blob_chunks" (
	"blob_id" bigint NOT NULL REFERENCES "blobs"("id") ON DELETE CASCADE,
	"n" integer NOT NULL,
	"data" bytea NOT NULL,
	CONSTRAINT "blob_chunks_pk" PRIMARY KEY ("blob_id", "n")
);
--> statement-breakpoint
-- Uploaded files are mostly compressed already (JPEG, PNG, PDF, MP4): store them out of line without trying.
ALTER TABLE "blob_chunks" ALTER COLUMN "data" SET STORAGE EXTERNAL;
--> statement-breakpoint
ALTER TABLE "attachments" ALTER COLUMN "telegram_file_id" DROP NOT NULL;
--> statement-breakpoint
ALTER TABLE "attachments" ADD COLUMN "blob_id" bigint REFERENCES "blobs"("id");
--> statement-breakpoint
-- Every existing row has a Telegram file id: NOT VALID skips a scan that could find nothing.
ALTER TABLE "attachments" ADD CONSTRAINT "attachments_source_check"
	CHECK ("telegram_file_id" IS NOT NULL OR "blob_id" IS NOT NULL) NOT VALID;
--> statement-breakpoint
-- Finding a blob's attachment (and so whether an old blob is an orphan) without a scan.
CREATE INDEX "attachments_blob_idx" ON "attachments" ("blob_id") WHERE "blob_id" IS NOT NULL;
