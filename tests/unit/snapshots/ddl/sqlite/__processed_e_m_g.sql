CREATE TABLE "djtest_ddl.__processed_e_m_g" (
  "subject_id" int NOT NULL CHECK ("subject_id" BETWEEN -2147483648 AND 2147483647),
  "session_idx" smallint NOT NULL CHECK ("session_idx" BETWEEN -32768 AND 32767),
  "n_channels" smallint NOT NULL CHECK ("n_channels" BETWEEN -32768 AND 32767),
  "n_samples" int NOT NULL CHECK ("n_samples" BETWEEN -2147483648 AND 2147483647),
  "mean_rms" double NOT NULL,
  "summary" blob NOT NULL,
  "_job_start_time" datetime(3) DEFAULT NULL,
  "_job_duration" float DEFAULT NULL,
  "_job_version" varchar(64) NOT NULL DEFAULT '' CHECK (length("_job_version") <= 64),
  PRIMARY KEY ("subject_id", "session_idx"),
  FOREIGN KEY ("subject_id", "session_idx") REFERENCES "djtest_ddl.session" ("subject_id", "session_idx") ON UPDATE CASCADE ON DELETE RESTRICT
);
INSERT OR REPLACE INTO "~comments" (schema_name, table_name, column_name, comment) VALUES ('djtest_ddl', '__processed_e_m_g', '', 'per-session signal statistics'), ('djtest_ddl', '__processed_e_m_g', 'subject_id', 'subject id'), ('djtest_ddl', '__processed_e_m_g', 'n_channels', ':int16:'), ('djtest_ddl', '__processed_e_m_g', 'n_samples', ':int32:'), ('djtest_ddl', '__processed_e_m_g', 'mean_rms', ':float64:'), ('djtest_ddl', '__processed_e_m_g', 'summary', ':<blob>:'), ('djtest_ddl', '__processed_e_m_g', '_job_start_time', ':datetime(3):when computation began'), ('djtest_ddl', '__processed_e_m_g', '_job_duration', ':float32:computation duration in seconds'), ('djtest_ddl', '__processed_e_m_g', '_job_version', ':varchar(64):code version');
