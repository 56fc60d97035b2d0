CREATE TABLE "djtest_ddl.__processed_e_m_g__channel" (
  "subject_id" int NOT NULL CHECK ("subject_id" BETWEEN -2147483648 AND 2147483647),
  "session_idx" smallint NOT NULL CHECK ("session_idx" BETWEEN -32768 AND 32767),
  "channel" smallint NOT NULL CHECK ("channel" BETWEEN -32768 AND 32767),
  "rms" double NOT NULL,
  "peak_count" int NOT NULL CHECK ("peak_count" BETWEEN -2147483648 AND 2147483647),
  "mean_abs" float NOT NULL,
  "trace" blob NOT NULL,
  PRIMARY KEY ("subject_id", "session_idx", "channel"),
  FOREIGN KEY ("subject_id", "session_idx") REFERENCES "djtest_ddl.__processed_e_m_g" ("subject_id", "session_idx") ON UPDATE CASCADE ON DELETE RESTRICT
);
INSERT OR REPLACE INTO "~comments" (schema_name, table_name, column_name, comment) VALUES ('djtest_ddl', '__processed_e_m_g__channel', 'subject_id', 'subject id'), ('djtest_ddl', '__processed_e_m_g__channel', 'channel', ':int16:'), ('djtest_ddl', '__processed_e_m_g__channel', 'rms', ':float64:'), ('djtest_ddl', '__processed_e_m_g__channel', 'peak_count', ':int32:'), ('djtest_ddl', '__processed_e_m_g__channel', 'mean_abs', ':float32:'), ('djtest_ddl', '__processed_e_m_g__channel', 'trace', ':<blob>:');
