DO $dj$ BEGIN CREATE TYPE "djtest_ddl"."enum_609a743e" AS ENUM ('pending', 'reserved', 'success', 'error', 'ignore'); EXCEPTION WHEN duplicate_object THEN NULL; END $dj$;
CREATE TABLE "djtest_ddl"."~~processed_e_m_g" (
  "subject_id" integer NOT NULL,
  "session_idx" smallint NOT NULL,
  "status" "djtest_ddl"."enum_609a743e" NOT NULL,
  "priority" smallint NOT NULL CHECK ("priority" BETWEEN -128 AND 127),
  "created_time" timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  "scheduled_time" timestamp(3) NOT NULL DEFAULT CURRENT_TIMESTAMP(3),
  "reserved_time" timestamp(3) DEFAULT NULL,
  "completed_time" timestamp(3) DEFAULT NULL,
  "duration" double precision DEFAULT NULL,
  "error_message" varchar(2047) NOT NULL DEFAULT '',
  "error_stack" bytea DEFAULT NULL,
  "user" varchar(255) NOT NULL DEFAULT '',
  "host" varchar(255) NOT NULL DEFAULT '',
  "pid" integer NOT NULL DEFAULT '0',
  "connection_id" bigint NOT NULL DEFAULT '0',
  "version" varchar(64) NOT NULL DEFAULT '',
  PRIMARY KEY ("subject_id", "session_idx")
);
COMMENT ON TABLE "djtest_ddl"."~~processed_e_m_g" IS 'Job queue for `interop_reference`.`__processed_e_m_g`';
COMMENT ON COLUMN "djtest_ddl"."~~processed_e_m_g"."status" IS ':enum(''pending'', ''reserved'', ''success'', ''error'', ''ignore''):';
COMMENT ON COLUMN "djtest_ddl"."~~processed_e_m_g"."priority" IS ':int8:';
COMMENT ON COLUMN "djtest_ddl"."~~processed_e_m_g"."created_time" IS ':datetime(3):';
COMMENT ON COLUMN "djtest_ddl"."~~processed_e_m_g"."scheduled_time" IS ':datetime(3):';
COMMENT ON COLUMN "djtest_ddl"."~~processed_e_m_g"."reserved_time" IS ':datetime(3):';
COMMENT ON COLUMN "djtest_ddl"."~~processed_e_m_g"."completed_time" IS ':datetime(3):';
COMMENT ON COLUMN "djtest_ddl"."~~processed_e_m_g"."duration" IS ':float64:';
COMMENT ON COLUMN "djtest_ddl"."~~processed_e_m_g"."error_message" IS ':varchar(2047):';
COMMENT ON COLUMN "djtest_ddl"."~~processed_e_m_g"."error_stack" IS ':<blob>:';
COMMENT ON COLUMN "djtest_ddl"."~~processed_e_m_g"."user" IS ':varchar(255):';
COMMENT ON COLUMN "djtest_ddl"."~~processed_e_m_g"."host" IS ':varchar(255):';
COMMENT ON COLUMN "djtest_ddl"."~~processed_e_m_g"."pid" IS ':int32:';
COMMENT ON COLUMN "djtest_ddl"."~~processed_e_m_g"."connection_id" IS ':int64:';
COMMENT ON COLUMN "djtest_ddl"."~~processed_e_m_g"."version" IS ':varchar(64):';
CREATE INDEX "idx_~~processed_e_m_g_status_priority_scheduled_time" ON "djtest_ddl"."~~processed_e_m_g" ("status", "priority", "scheduled_time");
