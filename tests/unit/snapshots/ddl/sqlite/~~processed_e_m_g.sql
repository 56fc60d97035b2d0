CREATE TABLE "djtest_ddl.~~processed_e_m_g" (
  "subject_id" int NOT NULL CHECK ("subject_id" BETWEEN -2147483648 AND 2147483647),
  "session_idx" smallint NOT NULL CHECK ("session_idx" BETWEEN -32768 AND 32767),
  "status" text NOT NULL CHECK ("status" IN ('pending', 'reserved', 'success', 'error', 'ignore')),
  "priority" tinyint NOT NULL CHECK ("priority" BETWEEN -128 AND 127),
  "created_time" datetime(3) NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
  "scheduled_time" datetime(3) NOT NULL DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')),
  "reserved_time" datetime(3) DEFAULT NULL,
  "completed_time" datetime(3) DEFAULT NULL,
  "duration" double DEFAULT NULL,
  "error_message" varchar(2047) NOT NULL DEFAULT '' CHECK (length("error_message") <= 2047),
  "error_stack" blob DEFAULT NULL,
  "user" varchar(255) NOT NULL DEFAULT '' CHECK (length("user") <= 255),
  "host" varchar(255) NOT NULL DEFAULT '' CHECK (length("host") <= 255),
  "pid" int NOT NULL DEFAULT 0 CHECK ("pid" BETWEEN -2147483648 AND 2147483647),
  "connection_id" bigint NOT NULL DEFAULT 0,
  "version" varchar(64) NOT NULL DEFAULT '' CHECK (length("version") <= 64),
  PRIMARY KEY ("subject_id", "session_idx")
);
CREATE INDEX "djtest_ddl.idx_~~processed_e_m_g_status_priority_scheduled_time" ON "djtest_ddl.~~processed_e_m_g" ("status", "priority", "scheduled_time");
INSERT OR REPLACE INTO "~comments" (schema_name, table_name, column_name, comment) VALUES ('djtest_ddl', '~~processed_e_m_g', '', 'Job queue for `interop_reference`.`__processed_e_m_g`'), ('djtest_ddl', '~~processed_e_m_g', 'status', ':enum(''pending'', ''reserved'', ''success'', ''error'', ''ignore''):'), ('djtest_ddl', '~~processed_e_m_g', 'priority', ':int8:'), ('djtest_ddl', '~~processed_e_m_g', 'created_time', ':datetime(3):'), ('djtest_ddl', '~~processed_e_m_g', 'scheduled_time', ':datetime(3):'), ('djtest_ddl', '~~processed_e_m_g', 'reserved_time', ':datetime(3):'), ('djtest_ddl', '~~processed_e_m_g', 'completed_time', ':datetime(3):'), ('djtest_ddl', '~~processed_e_m_g', 'duration', ':float64:'), ('djtest_ddl', '~~processed_e_m_g', 'error_message', ':varchar(2047):'), ('djtest_ddl', '~~processed_e_m_g', 'error_stack', ':<blob>:'), ('djtest_ddl', '~~processed_e_m_g', 'user', ':varchar(255):'), ('djtest_ddl', '~~processed_e_m_g', 'host', ':varchar(255):'), ('djtest_ddl', '~~processed_e_m_g', 'pid', ':int32:'), ('djtest_ddl', '~~processed_e_m_g', 'connection_id', ':int64:'), ('djtest_ddl', '~~processed_e_m_g', 'version', ':varchar(64):');
