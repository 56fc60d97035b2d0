CREATE TABLE IF NOT EXISTS "~schemas" (schema_name TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS "~comments" (schema_name TEXT NOT NULL, table_name TEXT NOT NULL, column_name TEXT NOT NULL, comment TEXT NOT NULL, PRIMARY KEY (schema_name, table_name, column_name));
INSERT INTO "~schemas" (schema_name) VALUES ('djtest_ddl');
DROP TABLE "djtest_ddl.session";
DELETE FROM "~comments" WHERE schema_name = 'djtest_ddl' AND table_name = 'session';
DROP TABLE "djtest_ddl.session";
DROP TABLE "djtest_ddl.subject";
DELETE FROM "~comments" WHERE schema_name = 'djtest_ddl';
DELETE FROM "~schemas" WHERE schema_name = 'djtest_ddl';
