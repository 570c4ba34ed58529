-- atlas-compile migration 0009_encrypt_members_emergency_contact_create_members_decrypted (up)
-- project: atlas-fitness; target: supabase; PostgreSQL 15
-- Generated from the spec: do not edit (build/migrations.sum refuses edited migrations).
-- 2 parts: 1 in a transaction, 2 outside a transaction (batched encryption).
-- Apply with `atlas-compile migrate`, or `psql -v ON_ERROR_STOP=1 -f <file>`; the role must
-- bypass row level security (a superuser, or Supabase's postgres role).

SET search_path = public, extensions;

-- atlas-compile part 1/2: transaction
BEGIN;
SET LOCAL lock_timeout = '1s';
SET LOCAL statement_timeout = '10s';

-- create encryption key atlas_encryption_key
CREATE FUNCTION atlas_private.encryption_key()
RETURNS text
LANGUAGE plpgsql
STABLE
SECURITY DEFINER
SET search_path = ''
AS $function$
DECLARE
    -- Either may be missing (no Vault; the key archived): each is read through the relation
    -- found when the function runs.
    vault regclass := pg_catalog.to_regclass('vault.decrypted_secrets');
    own regclass := pg_catalog.to_regclass('atlas_private.encryption_key');
    found text;
BEGIN
    IF vault IS NOT NULL THEN
        EXECUTE pg_catalog.format('SELECT decrypted_secret FROM %s WHERE name = $1', vault) INTO found USING 'atlas_encryption_key';
    END IF;
    IF found IS NULL AND own IS NOT NULL THEN
        EXECUTE pg_catalog.format('SELECT key FROM %s', own) INTO found;
    END IF;
    IF found IS NULL THEN
        RAISE EXCEPTION 'the key of the encrypted columns is missing (atlas-compile)';
    END IF;
    RETURN found;
END
$function$;
REVOKE ALL ON FUNCTION atlas_private.encryption_key() FROM PUBLIC;
COMMENT ON FUNCTION atlas_private.encryption_key() IS 'The key of the encrypted columns, from Vault or atlas_private.encryption_key; callable by its owner only (atlas-compile).';
DO $encryption_key$
DECLARE
    crypto text := (SELECT n.nspname FROM pg_catalog.pg_extension AS e
                    JOIN pg_catalog.pg_namespace AS n ON n.oid = e.extnamespace WHERE e.extname = 'pgcrypto');
    kept boolean;
BEGIN
    IF crypto IS NULL THEN
        RAISE EXCEPTION 'encrypted columns need the pgcrypto extension (atlas-compile)';
    END IF;
    IF pg_catalog.to_regclass('vault.decrypted_secrets') IS NOT NULL THEN
        EXECUTE 'SELECT EXISTS (SELECT 1 FROM vault.secrets WHERE name = $1)' INTO kept USING 'atlas_encryption_key';
        IF NOT kept THEN
            EXECUTE pg_catalog.format('SELECT vault.create_secret(pg_catalog.encode(%I.gen_random_bytes(32), ''base64''), $1, $2)', crypto)
                USING 'atlas_encryption_key', 'Key of the encrypted columns (atlas-compile)';
        END IF;
    ELSE
        CREATE TABLE atlas_private.encryption_key (
            one boolean PRIMARY KEY DEFAULT true CHECK (one),
            key text NOT NULL
        );
        ALTER TABLE atlas_private.encryption_key ENABLE ROW LEVEL SECURITY;
        REVOKE ALL ON TABLE atlas_private.encryption_key FROM PUBLIC;
        COMMENT ON TABLE atlas_private.encryption_key IS 'The key of the encrypted columns, made on this server; no API role may read it (atlas-compile).';
        EXECUTE pg_catalog.format('INSERT INTO atlas_private.encryption_key (key) SELECT pg_catalog.encode(%I.gen_random_bytes(32), ''base64'')', crypto);
    END IF;

    EXECUTE pg_catalog.format($create$
CREATE FUNCTION atlas_private.encrypt_value(plain text)
RETURNS text
LANGUAGE sql
VOLATILE
STRICT
SECURITY DEFINER
SET search_path = ''
AS $function$
SELECT 'atlas1:' || pg_catalog.translate(pg_catalog.encode(
    %1$I.pgp_sym_encrypt(plain, atlas_private.encryption_key(), 'cipher-algo=aes256, s2k-mode=1'), 'base64'), pg_catalog.chr(10), '')
$function$$create$, crypto);
    EXECUTE pg_catalog.format($create$
CREATE FUNCTION atlas_private.decrypt_value(stored text)
RETURNS text
LANGUAGE plpgsql
STABLE
STRICT
SECURITY DEFINER
SET search_path = ''
AS $function$
DECLARE
    secret text;
BEGIN
    IF NOT pg_catalog.starts_with(stored, 'atlas1:') THEN
        RETURN stored;
    END IF;
    secret := atlas_private.encryption_key();   -- a missing key is an error, not a NULL
    BEGIN
        RETURN %1$I.pgp_sym_decrypt(pg_catalog.decode(pg_catalog.substr(stored, 8), 'base64'), secret);
    EXCEPTION WHEN data_exception OR external_routine_invocation_exception THEN
        RETURN NULL;   -- not a ciphertext under this key (bad base64, wrong key, corrupt data): no read fails on it
    END;
END
$function$$create$, crypto);
END
$encryption_key$;
REVOKE ALL ON FUNCTION atlas_private.encrypt_value(text) FROM PUBLIC;
COMMENT ON FUNCTION atlas_private.encrypt_value(text) IS 'Encrypts a value of an encrypted column; the columns'' triggers call it (atlas-compile).';
REVOKE ALL ON FUNCTION atlas_private.decrypt_value(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION atlas_private.decrypt_value(text) TO authenticated, service_role;
COMMENT ON FUNCTION atlas_private.decrypt_value(text) IS 'Decrypts a value of an encrypted column; the accessor views call it, row level security choosing the rows (atlas-compile).';

-- create view public.members_decrypted
CREATE VIEW public.members_decrypted WITH (security_invoker = true) AS
SELECT id,
       organization_id,
       fitness_goals,
       first_name,
       last_name,
       email,
       phone,
       date_of_birth,
       membership_plan_id,
       converted_from_lead_id,
       status,
       joined_on,
       CASE WHEN pg_catalog.row_security_active('public.members'::regclass) AND (SELECT auth.uid()) IS NULL THEN NULL ELSE atlas_private.decrypt_value(emergency_contact) END AS emergency_contact,
       created_at,
       updated_at
  FROM public.members;
COMMENT ON VIEW public.members_decrypted IS 'members with its encrypted columns decrypted, for the rows the caller may read (atlas-compile).';
REVOKE ALL ON TABLE public.members_decrypted FROM anon, authenticated;
GRANT SELECT ON TABLE public.members_decrypted TO authenticated;
GRANT SELECT ON TABLE public.members_decrypted TO service_role;

-- create encrypted column public.members.emergency_contact (arm)
CREATE FUNCTION atlas_private.encrypt_members_emergency_contact()
RETURNS trigger
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = ''
AS $function$
BEGIN
    -- the stored ciphertext, unchanged (an update of other columns): kept
    IF new.emergency_contact IS NULL OR (TG_OP = 'UPDATE' AND new.emergency_contact IS NOT DISTINCT FROM old.emergency_contact
                           AND pg_catalog.starts_with(old.emergency_contact, 'atlas1:')) THEN
        RETURN new;
    END IF;
    -- a ciphertext under the key already (an upsert's EXCLUDED row, encrypted by the INSERT
    -- trigger; a value copied from another row) is kept; anything else, 'atlas1:garbage'
    -- too (it would not decrypt), is encrypted
    IF pg_catalog.starts_with(new.emergency_contact, 'atlas1:')
       AND atlas_private.decrypt_value(new.emergency_contact) IS NOT NULL THEN
        RETURN new;
    END IF;
    new.emergency_contact := atlas_private.encrypt_value(new.emergency_contact);
    RETURN new;
END
$function$;
REVOKE ALL ON FUNCTION atlas_private.encrypt_members_emergency_contact() FROM PUBLIC;
COMMENT ON FUNCTION atlas_private.encrypt_members_emergency_contact() IS 'Encrypts members.emergency_contact as it is written (atlas-compile).';
CREATE TRIGGER encrypt_emergency_contact BEFORE INSERT OR UPDATE ON public.members FOR EACH ROW EXECUTE FUNCTION atlas_private.encrypt_members_emergency_contact();
COMMIT;

-- atlas-compile part 2/2: outside a transaction
SET lock_timeout = '1s';
SET statement_timeout = '30min';

-- create encrypted column public.members.emergency_contact (encrypt rows)
-- hazard: TABLE_SCAN
-- the trigger encrypts each row the batches touch (SET c = c)
DO $encrypt$
DECLARE
    quiet boolean := (SELECT rolsuper FROM pg_catalog.pg_roles WHERE rolname = current_user);
    batches bigint := (SELECT count(*) / 5000 + 10 FROM public.members WHERE NOT pg_catalog.starts_with(emergency_contact, 'atlas1:'));
    filled bigint;
BEGIN
    IF pg_catalog.to_regclass('public.members_audit') IS NOT NULL AND (SELECT count(*) FROM pg_catalog.pg_attribute WHERE attrelid = pg_catalog.to_regclass('public.members_audit')
            AND attname IN ('id', 'old_data', 'new_data') AND NOT attisdropped) = 3 THEN
        FOR batch IN 1..((SELECT count(*) FROM public.members_audit WHERE coalesce(NOT pg_catalog.starts_with((old_data ->> 'emergency_contact'), 'atlas1:'), false) OR coalesce(NOT pg_catalog.starts_with((new_data ->> 'emergency_contact'), 'atlas1:'), false)) / 5000 + 10) LOOP
            UPDATE public.members_audit
               SET old_data = CASE WHEN NOT pg_catalog.starts_with((old_data ->> 'emergency_contact'), 'atlas1:')
                                   THEN pg_catalog.jsonb_set(old_data, ARRAY['emergency_contact'], pg_catalog.to_jsonb(atlas_private.encrypt_value((old_data ->> 'emergency_contact')))) ELSE old_data END,
                   new_data = CASE WHEN NOT pg_catalog.starts_with((new_data ->> 'emergency_contact'), 'atlas1:')
                                   THEN pg_catalog.jsonb_set(new_data, ARRAY['emergency_contact'], pg_catalog.to_jsonb(atlas_private.encrypt_value((new_data ->> 'emergency_contact')))) ELSE new_data END
             WHERE id = ANY (ARRAY(SELECT id FROM public.members_audit WHERE coalesce(NOT pg_catalog.starts_with((old_data ->> 'emergency_contact'), 'atlas1:'), false) OR coalesce(NOT pg_catalog.starts_with((new_data ->> 'emergency_contact'), 'atlas1:'), false) LIMIT 5000));
            EXIT WHEN NOT FOUND;
            COMMIT;
        END LOOP;
    END IF;
    FOR batch IN 1..batches LOOP
        IF quiet THEN
            PERFORM pg_catalog.set_config('session_replication_role', 'replica', true);
        END IF;
        UPDATE public.members SET emergency_contact = CASE WHEN pg_catalog.current_setting('session_replication_role') = 'replica' THEN atlas_private.encrypt_value(emergency_contact) ELSE emergency_contact END
        WHERE ctid = ANY (ARRAY(SELECT ctid FROM public.members WHERE NOT pg_catalog.starts_with(emergency_contact, 'atlas1:') LIMIT 5000));
        GET DIAGNOSTICS filled = ROW_COUNT;
        COMMIT;
        EXIT WHEN filled = 0;
    END LOOP;
END
$encrypt$;
