"""The PostgreSQL backend of the stores (`DRAFTCUT_DATABASE_URL`), for several hosts sharing one database.

Same tables and the same semantics as the embedded SQLite stores; only
`draftcut.store.backends` imports this package, and only when a database
URL is set, so the embedded default never loads psycopg.
"""
