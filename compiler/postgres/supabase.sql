-- Supabase emulation for atlas-compile's test harness.
--
-- Reproduces the parts of a Supabase project that compiled SQL interacts
-- with, following Supabase's own definitions:
--   * supabase/postgres  migrations/db/init-scripts/00000000000000-initial-schema.sql
--     (API roles, extensions schema, public schema grants, default privileges,
--      the supabase_realtime publication)
--   * supabase/postgres  migrations/db/init-scripts/00000000000001-auth-schema.sql
--     (auth schema, auth.users, usage grants)
--   * supabase/auth      migrations/20240624145325_recreate_auth_functions.up.sql
--     (current auth.uid() / auth.role() / auth.email() / auth.jwt())
--
-- Two sections, split by supabase.py on the "-- @section" markers:
--   roles     cluster-wide; creates each role only if missing.
--   database  per database; safe to run more than once.
-- Each section runs as one implicit transaction.
--
-- Deliberate differences from a hosted project: no supabase_admin /
-- supabase_auth_admin (objects are owned by the harness superuser
-- "postgres"), auth.users has no indexes beyond its keys, and there are no
-- storage/realtime/graphql schemas.  Supabase later made the API roles
-- INHERIT (20230529180330_alter_api_roles_for_inherit.sql); this keeps the
-- original NOINHERIT.  Nothing here depends on that difference.

-- @section roles
do $roles$
begin
  if not exists (select from pg_catalog.pg_roles where rolname = 'anon') then
    create role anon nologin noinherit;
  end if;
  if not exists (select from pg_catalog.pg_roles where rolname = 'authenticated') then
    -- "logged in" user: web_user, app_user, etc
    create role authenticated nologin noinherit;
  end if;
  if not exists (select from pg_catalog.pg_roles where rolname = 'service_role') then
    -- allow developers to create JWTs that bypass their policies
    create role service_role nologin noinherit bypassrls;
  end if;
  if not exists (select from pg_catalog.pg_roles where rolname = 'authenticator') then
    create role authenticator login noinherit;
  end if;
end
$roles$;

grant anon          to authenticator;
grant authenticated to authenticator;
grant service_role  to authenticator;

-- @section database
-- Realtime: defaults to an empty publication.
do $pub$
begin
  if not exists (select from pg_catalog.pg_publication where pubname = 'supabase_realtime') then
    create publication supabase_realtime;
  end if;
end
$pub$;

-- Extension namespacing.
create schema if not exists extensions;
create extension if not exists "uuid-ossp" with schema extensions;
create extension if not exists pgcrypto    with schema extensions;

grant usage on schema public to postgres, anon, authenticated, service_role;
alter default privileges in schema public grant all on tables    to postgres, anon, authenticated, service_role;
alter default privileges in schema public grant all on functions to postgres, anon, authenticated, service_role;
alter default privileges in schema public grant all on sequences to postgres, anon, authenticated, service_role;

-- Allow extensions to be used in the API.
grant usage on schema extensions to postgres, anon, authenticated, service_role;

-- auth schema -----------------------------------------------------------------
create schema if not exists auth;

-- auth.users with every column of Supabase's (compiler/external_tables.py lists the same), so
-- compiled views that read any of them apply here as on a hosted project.
create table if not exists auth.users (
    instance_id uuid null,
    id uuid not null unique,
    aud varchar(255) null,
    "role" varchar(255) null,
    email varchar(255) null unique,
    encrypted_password varchar(255) null,
    email_confirmed_at timestamptz null,
    invited_at timestamptz null,
    confirmation_token varchar(255) null,
    confirmation_sent_at timestamptz null,
    recovery_token varchar(255) null,
    recovery_sent_at timestamptz null,
    email_change_token_new varchar(255) null,
    email_change varchar(255) null,
    email_change_sent_at timestamptz null,
    last_sign_in_at timestamptz null,
    raw_app_meta_data jsonb null,
    raw_user_meta_data jsonb null,
    is_super_admin boolean null,
    created_at timestamptz null,
    updated_at timestamptz null,
    phone text null unique default null,
    phone_confirmed_at timestamptz null,
    phone_change text null default '',
    phone_change_token varchar(255) null default '',
    phone_change_sent_at timestamptz null,
    confirmed_at timestamptz generated always as (least(email_confirmed_at, phone_confirmed_at)) stored,
    email_change_token_current varchar(255) null default '',
    email_change_confirm_status smallint null default 0
        check (email_change_confirm_status >= 0 and email_change_confirm_status <= 2),
    banned_until timestamptz null,
    reauthentication_token varchar(255) null default '',
    reauthentication_sent_at timestamptz null,
    is_sso_user boolean not null default false,
    deleted_at timestamptz null,
    is_anonymous boolean not null default false,
    constraint users_pkey primary key (id)
);
comment on table auth.users is 'Auth: Stores user login data within a secure schema.';

-- Gets the user id from the request (legacy per-claim GUC or the claims JSON).
create or replace function auth.uid()
    returns uuid
    set search_path to ''
as $func$
  select
    coalesce(
      nullif(current_setting('request.jwt.claim.sub', true), ''),
      (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
    )::uuid
$func$ language sql stable;

create or replace function auth.role()
    returns text
    set search_path to ''
as $func$
  select
    coalesce(
      nullif(current_setting('request.jwt.claim.role', true), ''),
      (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
    )::text
$func$ language sql stable;

create or replace function auth.email()
    returns text
    set search_path to ''
as $func$
  select
    coalesce(
      nullif(current_setting('request.jwt.claim.email', true), ''),
      (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'email')
    )::text
$func$ language sql stable;

create or replace function auth.jwt()
    returns jsonb
    set search_path to ''
as $func$
  select
    coalesce(
      nullif(current_setting('request.jwt.claim', true), ''),
      nullif(current_setting('request.jwt.claims', true), '')
    )::jsonb
$func$ language sql stable;

comment on function auth.uid()   is 'Deprecated. Use auth.jwt() -> ''sub'' instead.';
comment on function auth.role()  is 'Deprecated. Use auth.jwt() -> ''role'' instead.';
comment on function auth.email() is 'Deprecated. Use auth.jwt() -> ''email'' instead.';

-- usage on auth functions to API roles
grant usage on schema auth to anon, authenticated, service_role;
