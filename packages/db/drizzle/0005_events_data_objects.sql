-- Events appended through the full write path were stored with their data as a JSON string holding the
-- object ('"{\"message\": …}"'), not the object itself; reads parsed it back, SQL on data saw a string.
UPDATE "events" SET "data" = ("data" #>> '{}')::jsonb WHERE jsonb_typeof("data") = 'string';
