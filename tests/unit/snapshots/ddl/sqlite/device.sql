CREATE TABLE "djtest_ddl.device" (
  "device_id" binary(16) NOT NULL,
  "model" varchar(32) NOT NULL CHECK (length("model") <= 32),
  "serial" varchar(32) DEFAULT NULL CHECK (length("serial") <= 32),
  PRIMARY KEY ("device_id")
);
INSERT OR REPLACE INTO "~comments" (schema_name, table_name, column_name, comment) VALUES ('djtest_ddl', 'device', '', 'recording devices, uuid primary key'), ('djtest_ddl', 'device', 'device_id', ':uuid:'), ('djtest_ddl', 'device', 'model', ':varchar(32):'), ('djtest_ddl', 'device', 'serial', ':varchar(32):');
