CREATE TABLE "djtest_ddl.__processed_e_m_g__peak" (
  "subject_id" int NOT NULL CHECK ("subject_id" BETWEEN -2147483648 AND 2147483647),
  "session_idx" smallint NOT NULL CHECK ("session_idx" BETWEEN -32768 AND 32767),
  "channel" smallint NOT NULL CHECK ("channel" BETWEEN -32768 AND 32767),
  "peak_idx" int NOT NULL CHECK ("peak_idx" BETWEEN -2147483648 AND 2147483647),
  "sample" int NOT NULL CHECK ("sample" BETWEEN -2147483648 AND 2147483647),
  "amplitude" smallint NOT NULL CHECK ("amplitude" BETWEEN -32768 AND 32767),
  PRIMARY KEY ("subject_id", "session_idx", "channel", "peak_idx"),
  FOREIGN KEY ("subject_id", "session_idx", "channel") REFERENCES "djtest_ddl.__processed_e_m_g__channel" ("subject_id", "session_idx", "channel") ON UPDATE CASCADE ON DELETE RESTRICT
);
INSERT OR REPLACE INTO "~comments" (schema_name, table_name, column_name, comment) VALUES ('djtest_ddl', '__processed_e_m_g__peak', 'subject_id', 'subject id'), ('djtest_ddl', '__processed_e_m_g__peak', 'peak_idx', ':int32:'), ('djtest_ddl', '__processed_e_m_g__peak', 'sample', ':int32:'), ('djtest_ddl', '__processed_e_m_g__peak', 'amplitude', ':int16:');
