CREATE TABLE "djtest_ddl"."session" (
  "subject_id" integer NOT NULL,
  "session_idx" smallint NOT NULL,
  "session_start" timestamp NOT NULL,
  "experimenter" varchar(32) DEFAULT NULL,
  "device_id" uuid DEFAULT NULL,
  "signal" bytea NOT NULL,
  "params" jsonb NOT NULL,
  PRIMARY KEY ("subject_id", "session_idx"),
  FOREIGN KEY ("subject_id") REFERENCES "djtest_ddl"."subject" ("subject_id") ON UPDATE CASCADE ON DELETE RESTRICT,
  FOREIGN KEY ("experimenter") REFERENCES "djtest_ddl"."experimenter" ("experimenter") ON UPDATE CASCADE ON DELETE RESTRICT,
  FOREIGN KEY ("device_id") REFERENCES "djtest_ddl"."device" ("device_id") ON UPDATE CASCADE ON DELETE RESTRICT
);
COMMENT ON TABLE "djtest_ddl"."session" IS 'recording sessions';
COMMENT ON COLUMN "djtest_ddl"."session"."subject_id" IS 'subject id';
COMMENT ON COLUMN "djtest_ddl"."session"."session_idx" IS ':int16:';
COMMENT ON COLUMN "djtest_ddl"."session"."session_start" IS ':datetime:';
COMMENT ON COLUMN "djtest_ddl"."session"."device_id" IS ':uuid:';
COMMENT ON COLUMN "djtest_ddl"."session"."signal" IS ':<blob>:int16 channels x samples';
COMMENT ON COLUMN "djtest_ddl"."session"."params" IS ':json:';
CREATE INDEX "idx_session_session_start" ON "djtest_ddl"."session" ("session_start");
CREATE INDEX "idx_session_experimenter" ON "djtest_ddl"."session" ("experimenter");
CREATE INDEX "idx_session_device_id" ON "djtest_ddl"."session" ("device_id");
