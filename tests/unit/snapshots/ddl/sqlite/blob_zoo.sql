CREATE TABLE "djtest_ddl.blob_zoo" (
  "blob_id" varchar(32) NOT NULL CHECK (length("blob_id") <= 32),
  "value" blob DEFAULT NULL,
  PRIMARY KEY ("blob_id")
);
INSERT OR REPLACE INTO "~comments" (schema_name, table_name, column_name, comment) VALUES ('djtest_ddl', 'blob_zoo', '', 'one row per <blob> serialization case'), ('djtest_ddl', 'blob_zoo', 'blob_id', ':varchar(32):'), ('djtest_ddl', 'blob_zoo', 'value', ':<blob>:');
