DO $dj$ BEGIN CREATE TYPE "djtest_ddl"."enum_e54fc739" AS ENUM ('F', 'M', 'U'); EXCEPTION WHEN duplicate_object THEN NULL; END $dj$;
CREATE TABLE "djtest_ddl"."uint_zoo" (
  "u8" smallint NOT NULL CHECK ("u8" BETWEEN 0 AND 255),
  "u16" integer NOT NULL CHECK ("u16" BETWEEN 0 AND 65535),
  "u32" bigint NOT NULL CHECK ("u32" BETWEEN 0 AND 4294967295),
  "u64" numeric(20,0) NOT NULL CHECK ("u64" BETWEEN 0 AND 18446744073709551615),
  "flag" boolean NOT NULL DEFAULT TRUE,
  "label" varchar(8) NOT NULL DEFAULT '50%%',
  "species_id" smallint DEFAULT NULL,
  "mood" "djtest_ddl"."enum_e54fc739" DEFAULT NULL,
  PRIMARY KEY ("u8"),
  FOREIGN KEY ("species_id") REFERENCES "djtest_ddl"."#species" ("species_id") ON UPDATE CASCADE ON DELETE RESTRICT
);
COMMENT ON TABLE "djtest_ddl"."uint_zoo" IS 'unsigned types; 100%% dj_jupyter';
COMMENT ON COLUMN "djtest_ddl"."uint_zoo"."u8" IS ':uint8:rate in %%';
COMMENT ON COLUMN "djtest_ddl"."uint_zoo"."u16" IS ':uint16:';
COMMENT ON COLUMN "djtest_ddl"."uint_zoo"."u32" IS ':uint32:';
COMMENT ON COLUMN "djtest_ddl"."uint_zoo"."u64" IS ':uint64:';
COMMENT ON COLUMN "djtest_ddl"."uint_zoo"."flag" IS ':bool:';
COMMENT ON COLUMN "djtest_ddl"."uint_zoo"."label" IS ':varchar(8):';
COMMENT ON COLUMN "djtest_ddl"."uint_zoo"."species_id" IS 'species number';
COMMENT ON COLUMN "djtest_ddl"."uint_zoo"."mood" IS ':enum(''F'', ''M'', ''U''):';
CREATE UNIQUE INDEX "idx_uint_zoo_species_id" ON "djtest_ddl"."uint_zoo" ("species_id");
