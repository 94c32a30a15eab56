-- Look-ups of the API: the notification outbox by program, by kind (template) and by member,
-- newest first; and the purchase and refund events of an order (`GET /v1/orders/{order_id}`),
-- by the order id their attributes carry.
CREATE INDEX notifications_program ON notifications(program_id, id);
CREATE INDEX notifications_template ON notifications(program_id, template, id);
CREATE INDEX notifications_member ON notifications(member_id, id);
CREATE INDEX events_order ON events(program_id, ((attributes::jsonb) ->> 'order_id')) WHERE type IN ('purchase', 'refund');
