-- atlas-compile migration 0007_replace_user_membership_ids_replace_user_tenant_ids (down)
-- project: atlas-fitness; target: supabase; PostgreSQL 15
-- Generated from the spec: do not edit (build/migrations.sum refuses edited migrations).
-- 1 part, in a transaction.
-- Apply with `atlas-compile migrate`, or `psql -v ON_ERROR_STOP=1 -f <file>`; the role must
-- bypass row level security (a superuser, or Supabase's postgres role).

SET search_path = public, extensions;

-- atlas-compile part 1/1: transaction
BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '10s';

-- replace function atlas_private.user_tenant_ids
CREATE OR REPLACE FUNCTION atlas_private.user_tenant_ids(p_role public.member_role DEFAULT NULL)
RETURNS uuid[]
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $body$
BEGIN
  RETURN (SELECT coalesce(array_agg(DISTINCT m.organization_id), '{}')
          FROM public.auth_users AS m
          WHERE m.auth_id = auth.uid() AND (p_role IS NULL OR m.role = p_role));
END
$body$;
COMMENT ON FUNCTION atlas_private.user_tenant_ids(p_role public.member_role) IS 'Tenants the user belongs to (optionally with a role); used by row level security.';
REVOKE ALL ON FUNCTION atlas_private.user_tenant_ids(p_role public.member_role) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION atlas_private.user_tenant_ids(p_role public.member_role) TO authenticated;

-- replace function atlas_private.user_membership_ids
CREATE OR REPLACE FUNCTION atlas_private.user_membership_ids()
RETURNS uuid[]
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $body$
BEGIN
  RETURN (SELECT coalesce(array_agg(m.id), '{}')
          FROM public.auth_users AS m
          WHERE m.auth_id = auth.uid());
END
$body$;
COMMENT ON FUNCTION atlas_private.user_membership_ids() IS 'Membership rows of the user; what owner rules compare with.';
REVOKE ALL ON FUNCTION atlas_private.user_membership_ids() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION atlas_private.user_membership_ids() TO authenticated;
COMMIT;
