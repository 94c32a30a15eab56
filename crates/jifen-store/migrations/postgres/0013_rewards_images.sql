-- Images of catalog items, uploaded through the API and served at a content-addressed URL
-- (`/media/{program_id}/{sha256}.{ext}`). One image per item: a new upload replaces it. The
-- bytes live here so a backup of the database carries them.
CREATE TABLE reward_images (
    program_id    TEXT NOT NULL REFERENCES programs(id),
    reward_id     TEXT NOT NULL,
    content_type  TEXT NOT NULL,
    bytes         BYTEA NOT NULL,
    sha256        TEXT NOT NULL,
    uploaded_at   BIGINT NOT NULL,
    PRIMARY KEY (program_id, reward_id)
);
CREATE INDEX reward_images_sha256 ON reward_images(program_id, sha256);
