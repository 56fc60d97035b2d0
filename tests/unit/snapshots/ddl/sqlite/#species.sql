CREATE TABLE "djtest_ddl.#species" (
  "species_id" smallint NOT NULL CHECK ("species_id" BETWEEN -32768 AND 32767),
  "name" varchar(32) NOT NULL CHECK (length("name") <= 32),
  "latin" varchar(64) DEFAULT NULL CHECK (length("latin") <= 64),
  PRIMARY KEY ("species_id")
);
INSERT OR REPLACE INTO "~comments" (schema_name, table_name, column_name, comment) VALUES ('djtest_ddl', '#species', '', 'species lookup with contents'), ('djtest_ddl', '#species', 'species_id', ':int16:species number'), ('djtest_ddl', '#species', 'name', ':varchar(32):common name'), ('djtest_ddl', '#species', 'latin', ':varchar(64):');
