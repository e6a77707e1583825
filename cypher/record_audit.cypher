// Audit trail: who (subject, role), did what, to which resource, when, from where.
CREATE (a:Audit {audit_id: $audit_id, at: datetime(), sub: $sub, role: $role, ip: $ip, action: $action,
                 resource_type: $resource_type, resource_id: $resource_id, detail: $detail})
RETURN a.audit_id AS audit_id
