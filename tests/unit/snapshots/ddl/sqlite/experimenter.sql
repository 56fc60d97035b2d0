CREATE TABLE "djtest_ddl.experimenter" (
  "experimenter" varchar(32) NOT NULL CHECK (length("experimenter") <= 32),
  "full_name" varchar(64) NOT NULL CHECK (length("full_name") <= 64),
  "created" datetime NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "_prov" text DEFAULT NULL,
  PRIMARY KEY ("experimenter")
);
INSERT OR REPLACE INTO "~comments" (schema_name, table_name, column_name, comment) VALUES ('djtest_ddl', 'experimenter', '', 'people who run sessions'), ('djtest_ddl', 'experimenter', 'experimenter', ':varchar(32):'), ('djtest_ddl', 'experimenter', 'full_name', ':varchar(64):'), ('djtest_ddl', 'experimenter', 'created', ':datetime:volatile: server time of insert'), ('djtest_ddl', 'experimenter', '_prov', ':json:extrinsic provenance for a row that entered from outside');
