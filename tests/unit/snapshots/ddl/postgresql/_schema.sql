CREATE SCHEMA "djtest_ddl";
DROP TABLE "djtest_ddl"."session";
DO $dj$ DECLARE r record; BEGIN FOR r IN SELECT t.typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace WHERE n.nspname = 'djtest_ddl' AND t.typtype = 'e' AND t.typname LIKE 'enum_%%' AND NOT EXISTS (SELECT 1 FROM pg_attribute a WHERE a.atttypid = t.oid AND NOT a.attisdropped) LOOP EXECUTE format('DROP TYPE %%I.%%I', 'djtest_ddl', r.typname); END LOOP; END $dj$;
DROP SCHEMA "djtest_ddl" CASCADE;
