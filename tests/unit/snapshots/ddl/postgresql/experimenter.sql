CREATE TABLE "djtest_ddl"."experimenter" (
  "experimenter" varchar(32) NOT NULL,
  "full_name" varchar(64) NOT NULL,
  "created" timestamp NOT NULL DEFAULT CURRENT_TIMESTAMP,
  "_prov" jsonb DEFAULT NULL,
  PRIMARY KEY ("experimenter")
);
COMMENT ON TABLE "djtest_ddl"."experimenter" IS 'people who run sessions';
COMMENT ON COLUMN "djtest_ddl"."experimenter"."experimenter" IS ':varchar(32):';
COMMENT ON COLUMN "djtest_ddl"."experimenter"."full_name" IS ':varchar(64):';
COMMENT ON COLUMN "djtest_ddl"."experimenter"."created" IS ':datetime:volatile: server time of insert';
COMMENT ON COLUMN "djtest_ddl"."experimenter"."_prov" IS ':json:extrinsic provenance for a row that entered from outside';
