//! The rule engine (see docs/rules.md).

/// Chinese label for a field path, for messages.
pub fn field_label(path: &str) -> String {
    path.to_string()
}
