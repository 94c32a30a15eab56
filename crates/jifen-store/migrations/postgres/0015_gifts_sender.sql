-- The gifts a member made, for the "given to friends" part of their wallet, which would
-- otherwise read every gift of the program.
CREATE INDEX gifts_sender ON gifts(program_id, sender_id);

-- The name the friend sees as the sender (a nickname the sender chose), kept with the gift so
-- that a link cannot be edited to name someone else.
ALTER TABLE gifts ADD COLUMN sender_name TEXT;
