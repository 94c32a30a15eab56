-- A program's own rate limit per API key, as JSON ({"per_second": 100, "burst": 200});
-- NULL: the server's default applies.
ALTER TABLE programs ADD COLUMN rate_limit TEXT;
