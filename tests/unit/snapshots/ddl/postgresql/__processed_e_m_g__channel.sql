CREATE TABLE "djtest_ddl"."__processed_e_m_g__channel" (
  "subject_id" integer NOT NULL,
  "session_idx" smallint NOT NULL,
  "channel" smallint NOT NULL,
  "rms" double precision NOT NULL,
  "peak_count" integer NOT NULL,
  "mean_abs" real NOT NULL,
  "trace" bytea NOT NULL,
  PRIMARY KEY ("subject_id", "session_idx", "channel"),
  FOREIGN KEY ("subject_id", "session_idx") REFERENCES "djtest_ddl"."__processed_e_m_g" ("subject_id", "session_idx") ON UPDATE CASCADE ON DELETE RESTRICT
);
COMMENT ON COLUMN "djtest_ddl"."__processed_e_m_g__channel"."subject_id" IS 'subject id';
COMMENT ON COLUMN "djtest_ddl"."__processed_e_m_g__channel"."channel" IS ':int16:';
COMMENT ON COLUMN "djtest_ddl"."__processed_e_m_g__channel"."rms" IS ':float64:';
COMMENT ON COLUMN "djtest_ddl"."__processed_e_m_g__channel"."peak_count" IS ':int32:';
COMMENT ON COLUMN "djtest_ddl"."__processed_e_m_g__channel"."mean_abs" IS ':float32:';
COMMENT ON COLUMN "djtest_ddl"."__processed_e_m_g__channel"."trace" IS ':<blob>:';
