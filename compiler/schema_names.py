"""The schemas the compiler puts objects in (public and extensions pre-exist)."""

PUBLIC = "public"
PRIVATE = "atlas_private"   # helper functions and materialized data, not exposed by the API
ARCHIVE = "atlas_archive"   # where removed tables and columns keep their data
