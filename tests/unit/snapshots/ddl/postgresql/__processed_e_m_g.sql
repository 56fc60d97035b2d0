CREATE TABLE "djtest_ddl"."__processed_e_m_g" (
  "subject_id" integer NOT NULL,
  "session_idx" smallint NOT NULL,
  "n_channels" smallint NOT NULL,
  "n_samples" integer NOT NULL,
  "mean_rms" double precision NOT NULL,
  "summary" bytea NOT NULL,
  "_job_start_time" timestamp(3) DEFAULT NULL,
  "_job_duration" real DEFAULT NULL,
  "_job_version" varchar(64) NOT NULL DEFAULT '',
  PRIMARY KEY ("subject_id", "session_idx"),
  FOREIGN KEY ("subject_id", "session_idx") REFERENCES "djtest_ddl"."session" ("subject_id", "session_idx") ON UPDATE CASCADE ON DELETE RESTRICT
);
COMMENT ON TABLE "djtest_ddl"."__processed_e_m_g" IS 'per-session signal statistics';
COMMENT ON COLUMN "djtest_ddl"."__processed_e_m_g"."subject_id" IS 'subject id';
COMMENT ON COLUMN "djtest_ddl"."__processed_e_m_g"."n_channels" IS ':int16:';
COMMENT ON COLUMN "djtest_ddl"."__processed_e_m_g"."n_samples" IS ':int32:';
COMMENT ON COLUMN "djtest_ddl"."__processed_e_m_g"."mean_rms" IS ':float64:';
COMMENT ON COLUMN "djtest_ddl"."__processed_e_m_g"."summary" IS ':<blob>:';
COMMENT ON COLUMN "djtest_ddl"."__processed_e_m_g"."_job_start_time" IS ':datetime(3):when computation began';
COMMENT ON COLUMN "djtest_ddl"."__processed_e_m_g"."_job_duration" IS ':float32:computation duration in seconds';
COMMENT ON COLUMN "djtest_ddl"."__processed_e_m_g"."_job_version" IS ':varchar(64):code version';
