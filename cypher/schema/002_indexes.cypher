// Indexes for the lookups the flows need (candidate search, statistics, listing).
CREATE INDEX resident_id_number IF NOT EXISTS FOR (r:Resident) ON (r.id_number);
CREATE INDEX resident_phone IF NOT EXISTS FOR (r:Resident) ON (r.phone);
CREATE INDEX resident_name_birth IF NOT EXISTS FOR (r:Resident) ON (r.name, r.birth_date);
CREATE INDEX resident_status IF NOT EXISTS FOR (r:Resident) ON (r.status);
CREATE INDEX card_type IF NOT EXISTS FOR (c:Card) ON (c.card_type);
CREATE INDEX domain_kind IF NOT EXISTS FOR (d:Domain) ON (d.kind);
CREATE INDEX identity_status IF NOT EXISTS FOR (i:Identity) ON (i.status);
CREATE INDEX card_needs_domain IF NOT EXISTS FOR (c:Card) ON (c.needs_domain);
CREATE INDEX event_type IF NOT EXISTS FOR (e:Event) ON (e.type);
CREATE INDEX audit_at IF NOT EXISTS FOR (a:Audit) ON (a.at);
CREATE INDEX audit_sub IF NOT EXISTS FOR (a:Audit) ON (a.sub);
CREATE INDEX audit_resource IF NOT EXISTS FOR (a:Audit) ON (a.resource_id);
CREATE INDEX resident_created IF NOT EXISTS FOR (r:Resident) ON (r.created_at);
CREATE INDEX merge_status IF NOT EXISTS FOR (m:Merge) ON (m.status);
CREATE INDEX merge_at IF NOT EXISTS FOR (m:Merge) ON (m.at);
CREATE INDEX review_status_score IF NOT EXISTS FOR (x:ReviewItem) ON (x.status, x.score);
