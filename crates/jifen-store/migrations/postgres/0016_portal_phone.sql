-- A phone number the brand verified (an SMS code, WeChat's phone number button) and sent with a
-- portal link, for the member to bind from the profile page; the session opened with the link
-- carries it until then.
ALTER TABLE portal_links ADD COLUMN phone TEXT;
ALTER TABLE portal_sessions ADD COLUMN phone TEXT;
