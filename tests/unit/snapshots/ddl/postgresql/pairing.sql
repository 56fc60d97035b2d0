DO $dj$ BEGIN CREATE TYPE "djtest_ddl"."enum_51564473" AS ENUM ('sibling', 'cagemate'); EXCEPTION WHEN duplicate_object THEN NULL; END $dj$;
CREATE TABLE "djtest_ddl"."pairing" (
  "subject_a" integer NOT NULL,
  "subject_b" integer NOT NULL,
  "relation" "djtest_ddl"."enum_51564473" NOT NULL,
  PRIMARY KEY ("subject_a", "subject_b"),
  FOREIGN KEY ("subject_a") REFERENCES "djtest_ddl"."subject" ("subject_id") ON UPDATE CASCADE ON DELETE RESTRICT,
  FOREIGN KEY ("subject_b") REFERENCES "djtest_ddl"."subject" ("subject_id") ON UPDATE CASCADE ON DELETE RESTRICT
);
COMMENT ON TABLE "djtest_ddl"."pairing" IS 'pairs of subjects, the same parent referenced twice through renames';
COMMENT ON COLUMN "djtest_ddl"."pairing"."subject_a" IS 'subject id';
COMMENT ON COLUMN "djtest_ddl"."pairing"."subject_b" IS 'subject id';
COMMENT ON COLUMN "djtest_ddl"."pairing"."relation" IS ':enum(''sibling'', ''cagemate''):';
CREATE INDEX "idx_pairing_subject_b" ON "djtest_ddl"."pairing" ("subject_b");
