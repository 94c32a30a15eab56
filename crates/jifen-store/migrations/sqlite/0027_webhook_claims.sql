-- A worker reads back what it claimed by the claim's token: index the deliveries under a claim
-- (only those, since a finished attempt clears it) so that read does not scan every delivery.
CREATE INDEX webhook_deliveries_claim ON webhook_deliveries(claim) WHERE claim IS NOT NULL;
