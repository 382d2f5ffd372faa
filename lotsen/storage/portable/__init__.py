"""SQL both backends share: the repositories written once against a tiny async connection
interface (`Conn`), with `?` placeholders (the PostgreSQL connection translates them).

A backend provides a `Conn` (execute / one / all / lock) and the two ways to get one: a
transaction, and a read-only connection. Everything dialect-specific (migrations,
connecting, locking, placeholders) stays in the backend's own package.
"""
