"""`atlas-compile drift --database-url URL`: a live database compared with what the spec compiles
to now (not the lock: a database migrated to the lock while the spec moved on shows the
difference). The reference is a fresh build of the spec's model applied in a scratch database of
a throwaway cluster with the Supabase emulation; both catalogs are read and compared exactly as
`verify --database-url` does (compiler.verify.catalog_checks, compiler.postgres.catalog_compare),
then grouped by table (:mod:`.groups`), worded (:mod:`.words`) and printed (:mod:`.report`).
The command itself is :mod:`.command`, imported late by the CLI (psycopg is the verify extra)."""
