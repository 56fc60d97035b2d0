CREATE TABLE "djtest_ddl"."device" (
  "device_id" uuid NOT NULL,
  "model" varchar(32) NOT NULL,
  "serial" varchar(32) DEFAULT NULL,
  PRIMARY KEY ("device_id")
);
COMMENT ON TABLE "djtest_ddl"."device" IS 'recording devices, uuid primary key';
COMMENT ON COLUMN "djtest_ddl"."device"."device_id" IS ':uuid:';
COMMENT ON COLUMN "djtest_ddl"."device"."model" IS ':varchar(32):';
COMMENT ON COLUMN "djtest_ddl"."device"."serial" IS ':varchar(32):';
