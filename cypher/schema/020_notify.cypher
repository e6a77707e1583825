// Subscriptions and webhook deliveries (订阅通知). Applied idempotently by `ehc db migrate`.
CREATE CONSTRAINT subscription_id IF NOT EXISTS FOR (s:Subscription) REQUIRE s.subscription_id IS UNIQUE;
CREATE CONSTRAINT delivery_id IF NOT EXISTS FOR (d:Delivery) REQUIRE d.delivery_id IS UNIQUE;
CREATE INDEX subscription_status IF NOT EXISTS FOR (s:Subscription) ON (s.status);
CREATE INDEX delivery_subscription_seq IF NOT EXISTS FOR (d:Delivery) ON (d.subscription_id, d.seq);
CREATE INDEX delivery_subscription_status IF NOT EXISTS FOR (d:Delivery) ON (d.subscription_id, d.status);
CREATE INDEX delivery_subscription_redrive IF NOT EXISTS FOR (d:Delivery) ON (d.subscription_id, d.redrive_pending);
CREATE INDEX delivery_status_delivered_at IF NOT EXISTS FOR (d:Delivery) ON (d.status, d.delivered_at);
