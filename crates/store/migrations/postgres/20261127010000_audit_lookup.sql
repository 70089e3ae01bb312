-- Login rate limiting counts recent failed logins per user and address
-- (Store::count_audit); without this index that is a scan of the whole log.
CREATE INDEX audit_log_lookup ON audit_log (action, target, at);
