CREATE TABLE "djtest_ddl"."#species" (
  "species_id" smallint NOT NULL,
  "name" varchar(32) NOT NULL,
  "latin" varchar(64) DEFAULT NULL,
  PRIMARY KEY ("species_id")
);
COMMENT ON TABLE "djtest_ddl"."#species" IS 'species lookup with contents';
COMMENT ON COLUMN "djtest_ddl"."#species"."species_id" IS ':int16:species number';
COMMENT ON COLUMN "djtest_ddl"."#species"."name" IS ':varchar(32):common name';
COMMENT ON COLUMN "djtest_ddl"."#species"."latin" IS ':varchar(64):';
