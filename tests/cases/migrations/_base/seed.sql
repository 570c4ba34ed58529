-- Run before every case's own seed (as superuser, after before/ is applied).
insert into public.organizations (id, name) values
  ('0a000000-0000-4000-8000-000000000001', 'Northside Gym'),
  ('0a000000-0000-4000-8000-000000000002', 'Riverside Studio');
insert into public.auth_users (id, organization_id, auth_id, role, email) values
  ('0b000000-0000-4000-8000-000000000001', '0a000000-0000-4000-8000-000000000001',
   '0c000000-0000-4000-8000-000000000001', 'owner', 'ana@northside.test'),
  ('0b000000-0000-4000-8000-000000000002', '0a000000-0000-4000-8000-000000000001',
   '0c000000-0000-4000-8000-000000000002', 'coach', 'ben@northside.test'),
  ('0b000000-0000-4000-8000-000000000003', '0a000000-0000-4000-8000-000000000002',
   '0c000000-0000-4000-8000-000000000003', 'admin', 'cara@riverside.test');
