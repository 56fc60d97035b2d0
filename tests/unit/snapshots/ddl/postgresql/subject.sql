DO $dj$ BEGIN CREATE TYPE "djtest_ddl"."enum_e54fc739" AS ENUM ('F', 'M', 'U'); EXCEPTION WHEN duplicate_object THEN NULL; END $dj$;
CREATE TABLE "djtest_ddl"."subject" (
  "subject_id" integer NOT NULL,
  "species_id" smallint NOT NULL,
  "sex" "djtest_ddl"."enum_e54fc739" NOT NULL,
  "dob" date NOT NULL,
  "weight_g" numeric(6,2) NOT NULL,
  "notes" varchar(255) NOT NULL DEFAULT '',
  PRIMARY KEY ("subject_id"),
  FOREIGN KEY ("species_id") REFERENCES "djtest_ddl"."#species" ("species_id") ON UPDATE CASCADE ON DELETE RESTRICT
);
COMMENT ON TABLE "djtest_ddl"."subject" IS 'experimental subjects';
COMMENT ON COLUMN "djtest_ddl"."subject"."subject_id" IS ':int32:subject id';
COMMENT ON COLUMN "djtest_ddl"."subject"."species_id" IS 'species number';
COMMENT ON COLUMN "djtest_ddl"."subject"."sex" IS ':enum(''F'', ''M'', ''U''):';
COMMENT ON COLUMN "djtest_ddl"."subject"."dob" IS ':date:';
COMMENT ON COLUMN "djtest_ddl"."subject"."weight_g" IS ':decimal(6,2):grams';
COMMENT ON COLUMN "djtest_ddl"."subject"."notes" IS ':varchar(255):';
CREATE INDEX "idx_subject_species_id" ON "djtest_ddl"."subject" ("species_id");
