CREATE TABLE "djtest_ddl"."blob_zoo" (
  "blob_id" varchar(32) NOT NULL,
  "value" bytea DEFAULT NULL,
  PRIMARY KEY ("blob_id")
);
COMMENT ON TABLE "djtest_ddl"."blob_zoo" IS 'one row per <blob> serialization case';
COMMENT ON COLUMN "djtest_ddl"."blob_zoo"."blob_id" IS ':varchar(32):';
COMMENT ON COLUMN "djtest_ddl"."blob_zoo"."value" IS ':<blob>:';
