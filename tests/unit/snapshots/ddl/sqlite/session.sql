CREATE TABLE "djtest_ddl.session" (
  "subject_id" int NOT NULL CHECK ("subject_id" BETWEEN -2147483648 AND 2147483647),
  "session_idx" smallint NOT NULL CHECK ("session_idx" BETWEEN -32768 AND 32767),
  "session_start" datetime NOT NULL,
  "experimenter" varchar(32) DEFAULT NULL CHECK (length("experimenter") <= 32),
  "device_id" binary(16) DEFAULT NULL,
  "signal" blob NOT NULL,
  "params" text NOT NULL,
  PRIMARY KEY ("subject_id", "session_idx"),
  FOREIGN KEY ("subject_id") REFERENCES "djtest_ddl.subject" ("subject_id") ON UPDATE CASCADE ON DELETE RESTRICT,
  FOREIGN KEY ("experimenter") REFERENCES "djtest_ddl.experimenter" ("experimenter") ON UPDATE CASCADE ON DELETE RESTRICT,
  FOREIGN KEY ("device_id") REFERENCES "djtest_ddl.device" ("device_id") ON UPDATE CASCADE ON DELETE RESTRICT
);
CREATE INDEX "djtest_ddl.idx_session_session_start" ON "djtest_ddl.session" ("session_start");
CREATE INDEX "djtest_ddl.idx_session_experimenter" ON "djtest_ddl.session" ("experimenter");
CREATE INDEX "djtest_ddl.idx_session_device_id" ON "djtest_ddl.session" ("device_id");
INSERT OR REPLACE INTO "~comments" (schema_name, table_name, column_name, comment) VALUES ('djtest_ddl', 'session', '', 'recording sessions'), ('djtest_ddl', 'session', 'subject_id', 'subject id'), ('djtest_ddl', 'session', 'session_idx', ':int16:'), ('djtest_ddl', 'session', 'session_start', ':datetime:'), ('djtest_ddl', 'session', 'device_id', ':uuid:'), ('djtest_ddl', 'session', 'signal', ':<blob>:int16 channels x samples'), ('djtest_ddl', 'session', 'params', ':json:');
