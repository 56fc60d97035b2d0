CREATE TABLE "djtest_ddl"."__processed_e_m_g__peak" (
  "subject_id" integer NOT NULL,
  "session_idx" smallint NOT NULL,
  "channel" smallint NOT NULL,
  "peak_idx" integer NOT NULL,
  "sample" integer NOT NULL,
  "amplitude" smallint NOT NULL,
  PRIMARY KEY ("subject_id", "session_idx", "channel", "peak_idx"),
  FOREIGN KEY ("subject_id", "session_idx", "channel") REFERENCES "djtest_ddl"."__processed_e_m_g__channel" ("subject_id", "session_idx", "channel") ON UPDATE CASCADE ON DELETE RESTRICT
);
COMMENT ON COLUMN "djtest_ddl"."__processed_e_m_g__peak"."subject_id" IS 'subject id';
COMMENT ON COLUMN "djtest_ddl"."__processed_e_m_g__peak"."peak_idx" IS ':int32:';
COMMENT ON COLUMN "djtest_ddl"."__processed_e_m_g__peak"."sample" IS ':int32:';
COMMENT ON COLUMN "djtest_ddl"."__processed_e_m_g__peak"."amplitude" IS ':int16:';
