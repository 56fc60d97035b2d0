DO $dj$ BEGIN CREATE TYPE "djtest_ddl"."enum_3cf19349" AS ENUM ('alpha', 'beta', 'gamma'); EXCEPTION WHEN duplicate_object THEN NULL; END $dj$;
CREATE TABLE "djtest_ddl"."type_zoo" (
  "row_id" smallint NOT NULL,
  "v_int8" smallint NOT NULL CHECK ("v_int8" BETWEEN -128 AND 127),
  "v_int16" smallint NOT NULL,
  "v_int32" integer NOT NULL,
  "v_int64" bigint NOT NULL,
  "v_float32" real NOT NULL,
  "v_float64" double precision NOT NULL,
  "v_bool" boolean NOT NULL,
  "v_uuid" uuid NOT NULL,
  "v_json" jsonb NOT NULL,
  "v_date" date NOT NULL,
  "v_datetime" timestamp NOT NULL,
  "v_datetime6" timestamp(6) NOT NULL,
  "v_char" char(4) NOT NULL,
  "v_varchar" varchar(100) NOT NULL,
  "v_enum" "djtest_ddl"."enum_3cf19349" NOT NULL,
  "v_decimal" numeric(10,4) NOT NULL,
  "v_bytes" bytea NOT NULL,
  "n_int32" integer DEFAULT NULL,
  "n_float64" double precision DEFAULT NULL,
  "n_varchar" varchar(10) DEFAULT NULL,
  "n_json" jsonb DEFAULT NULL,
  "n_uuid" uuid DEFAULT NULL,
  "n_date" date DEFAULT NULL,
  "d_int" integer NOT NULL DEFAULT '42',
  "d_str" varchar(16) NOT NULL DEFAULT 'dflt',
  "d_dec" numeric(4,2) NOT NULL DEFAULT '1.50',
  PRIMARY KEY ("row_id")
);
COMMENT ON TABLE "djtest_ddl"."type_zoo" IS 'one column per core type';
COMMENT ON COLUMN "djtest_ddl"."type_zoo"."row_id" IS ':int16:';
COMMENT ON COLUMN "djtest_ddl"."type_zoo"."v_int8" IS ':int8:';
COMMENT ON COLUMN "djtest_ddl"."type_zoo"."v_int16" IS ':int16:';
COMMENT ON COLUMN "djtest_ddl"."type_zoo"."v_int32" IS ':int32:';
COMMENT ON COLUMN "djtest_ddl"."type_zoo"."v_int64" IS ':int64:';
COMMENT ON COLUMN "djtest_ddl"."type_zoo"."v_float32" IS ':float32:';
COMMENT ON COLUMN "djtest_ddl"."type_zoo"."v_float64" IS ':float64:';
COMMENT ON COLUMN "djtest_ddl"."type_zoo"."v_bool" IS ':bool:';
COMMENT ON COLUMN "djtest_ddl"."type_zoo"."v_uuid" IS ':uuid:';
COMMENT ON COLUMN "djtest_ddl"."type_zoo"."v_json" IS ':json:';
COMMENT ON COLUMN "djtest_ddl"."type_zoo"."v_date" IS ':date:';
COMMENT ON COLUMN "djtest_ddl"."type_zoo"."v_datetime" IS ':datetime:';
COMMENT ON COLUMN "djtest_ddl"."type_zoo"."v_datetime6" IS ':datetime(6):';
COMMENT ON COLUMN "djtest_ddl"."type_zoo"."v_char" IS ':char(4):';
COMMENT ON COLUMN "djtest_ddl"."type_zoo"."v_varchar" IS ':varchar(100):free "text" with ''quotes''';
COMMENT ON COLUMN "djtest_ddl"."type_zoo"."v_enum" IS ':enum(''alpha'', ''beta'', ''gamma''):';
COMMENT ON COLUMN "djtest_ddl"."type_zoo"."v_decimal" IS ':decimal(10,4):';
COMMENT ON COLUMN "djtest_ddl"."type_zoo"."v_bytes" IS ':bytes:';
COMMENT ON COLUMN "djtest_ddl"."type_zoo"."n_int32" IS ':int32:';
COMMENT ON COLUMN "djtest_ddl"."type_zoo"."n_float64" IS ':float64:';
COMMENT ON COLUMN "djtest_ddl"."type_zoo"."n_varchar" IS ':varchar(10):';
COMMENT ON COLUMN "djtest_ddl"."type_zoo"."n_json" IS ':json:';
COMMENT ON COLUMN "djtest_ddl"."type_zoo"."n_uuid" IS ':uuid:';
COMMENT ON COLUMN "djtest_ddl"."type_zoo"."n_date" IS ':date:';
COMMENT ON COLUMN "djtest_ddl"."type_zoo"."d_int" IS ':int32:';
COMMENT ON COLUMN "djtest_ddl"."type_zoo"."d_str" IS ':varchar(16):';
COMMENT ON COLUMN "djtest_ddl"."type_zoo"."d_dec" IS ':decimal(4,2):';
