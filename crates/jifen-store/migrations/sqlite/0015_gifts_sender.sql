-- The gifts a member made, for the "given to friends" part of their wallet, which would
-- otherwise read every gift of the program.
CREATE INDEX gifts_sender ON gifts(program_id, sender_id);
