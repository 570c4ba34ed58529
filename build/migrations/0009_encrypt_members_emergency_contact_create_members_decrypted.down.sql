-- atlas-compile migration 0009_encrypt_members_emergency_contact_create_members_decrypted (down)
-- project: atlas-fitness; target: supabase; PostgreSQL 15
-- Generated from the spec: do not edit (build/migrations.sum refuses edited migrations).
-- 2 parts: 2 in a transaction, 1 outside a transaction (batched decryption).
-- Apply with `atlas-compile migrate`, or `psql -v ON_ERROR_STOP=1 -f <file>`; the role must
-- bypass row level security (a superuser, or Supabase's postgres role).

SET search_path = public, extensions;

-- atlas-compile part 1/2: outside a transaction
SET lock_timeout = '1s';
SET statement_timeout = '30min';

-- drop encrypted column public.members.emergency_contact (decrypt rows)
-- hazard: TABLE_SCAN
-- drops the trigger first, so that nothing encrypts the values again
DO $decrypt$
DECLARE
    quiet boolean := (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user);
    batches bigint := (SELECT count(*) / 5000 + 10 FROM public.members WHERE pg_catalog.starts_with(emergency_contact, 'atlas1:'));
    filled bigint;
BEGIN
    EXECUTE 'DROP TRIGGER IF EXISTS encrypt_emergency_contact ON public.members;';
    COMMIT;    IF pg_catalog.to_regclass('public.members_audit') IS NOT NULL AND (SELECT count(*) FROM pg_catalog.pg_attribute WHERE attrelid = pg_catalog.to_regclass('public.members_audit')
            AND attname IN ('id', 'old_data', 'new_data') AND NOT attisdropped) = 3 THEN
        FOR batch IN 1..((SELECT count(*) FROM public.members_audit WHERE coalesce(pg_catalog.starts_with((old_data ->> 'emergency_contact'), 'atlas1:'), false) OR coalesce(pg_catalog.starts_with((new_data ->> 'emergency_contact'), 'atlas1:'), false)) / 5000 + 10) LOOP
            UPDATE public.members_audit
               SET old_data = CASE WHEN pg_catalog.starts_with((old_data ->> 'emergency_contact'), 'atlas1:')
                                   THEN pg_catalog.jsonb_set(old_data, ARRAY['emergency_contact'], pg_catalog.to_jsonb(coalesce(atlas_private.decrypt_value((old_data ->> 'emergency_contact')), (old_data ->> 'emergency_contact')))) ELSE old_data END,
                   new_data = CASE WHEN pg_catalog.starts_with((new_data ->> 'emergency_contact'), 'atlas1:')
                                   THEN pg_catalog.jsonb_set(new_data, ARRAY['emergency_contact'], pg_catalog.to_jsonb(coalesce(atlas_private.decrypt_value((new_data ->> 'emergency_contact')), (new_data ->> 'emergency_contact')))) ELSE new_data END
             WHERE id = ANY (ARRAY(SELECT id FROM public.members_audit WHERE coalesce(pg_catalog.starts_with((old_data ->> 'emergency_contact'), 'atlas1:'), false) OR coalesce(pg_catalog.starts_with((new_data ->> 'emergency_contact'), 'atlas1:'), false) LIMIT 5000));
            EXIT WHEN NOT FOUND;
            COMMIT;
        END LOOP;
    END IF;
    FOR batch IN 1..batches LOOP
        IF quiet THEN
            PERFORM pg_catalog.set_config('session_replication_role', 'replica', true);
        END IF;
        UPDATE public.members SET emergency_contact = coalesce(atlas_private.decrypt_value(emergency_contact), emergency_contact)
        WHERE ctid = ANY (ARRAY(SELECT ctid FROM public.members WHERE pg_catalog.starts_with(emergency_contact, 'atlas1:') LIMIT 5000));
        GET DIAGNOSTICS filled = ROW_COUNT;
        COMMIT;
        EXIT WHEN filled = 0;
    END LOOP;
END
$decrypt$;

-- atlas-compile part 2/2: transaction
BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '10s';

-- drop encrypted column public.members.emergency_contact (drop function)
DROP TRIGGER IF EXISTS encrypt_emergency_contact ON public.members;
DROP FUNCTION atlas_private.encrypt_members_emergency_contact();

-- drop view public.members_decrypted
DROP VIEW public.members_decrypted;

-- drop encryption key atlas_encryption_key
DROP FUNCTION atlas_private.decrypt_value(text);
DROP FUNCTION atlas_private.encrypt_value(text);
-- nothing is encrypted under the key any more: it goes with the migration that made it
-- squawk-ignore ban-drop-table
DROP TABLE IF EXISTS atlas_private.encryption_key;
DROP FUNCTION atlas_private.encryption_key();
COMMIT;
