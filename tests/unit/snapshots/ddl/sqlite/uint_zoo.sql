CREATE TABLE "djtest_ddl.uint_zoo" (
  "u8" smallint NOT NULL CHECK ("u8" BETWEEN 0 AND 255),
  "u16" int NOT NULL CHECK ("u16" BETWEEN 0 AND 65535),
  "u32" bigint NOT NULL CHECK ("u32" BETWEEN 0 AND 4294967295),
  "u64" bigint NOT NULL CHECK ("u64" >= 0),
  "flag" boolean NOT NULL DEFAULT 1 CHECK ("flag" IN (0, 1)),
  "label" varchar(8) NOT NULL DEFAULT '50%' CHECK (length("label") <= 8),
  "species_id" smallint DEFAULT NULL CHECK ("species_id" BETWEEN -32768 AND 32767),
  "mood" text DEFAULT NULL CHECK ("mood" IN ('F', 'M', 'U')),
  PRIMARY KEY ("u8"),
  FOREIGN KEY ("species_id") REFERENCES "djtest_ddl.#species" ("species_id") ON UPDATE CASCADE ON DELETE RESTRICT
);
CREATE UNIQUE INDEX "djtest_ddl.idx_uint_zoo_species_id" ON "djtest_ddl.uint_zoo" ("species_id");
INSERT OR REPLACE INTO "~comments" (schema_name, table_name, column_name, comment) VALUES ('djtest_ddl', 'uint_zoo', '', 'unsigned types; 100% dj_jupyter'), ('djtest_ddl', 'uint_zoo', 'u8', ':uint8:rate in %'), ('djtest_ddl', 'uint_zoo', 'u16', ':uint16:'), ('djtest_ddl', 'uint_zoo', 'u32', ':uint32:'), ('djtest_ddl', 'uint_zoo', 'u64', ':uint64:'), ('djtest_ddl', 'uint_zoo', 'flag', ':bool:'), ('djtest_ddl', 'uint_zoo', 'label', ':varchar(8):'), ('djtest_ddl', 'uint_zoo', 'species_id', 'species number'), ('djtest_ddl', 'uint_zoo', 'mood', ':enum(''F'', ''M'', ''U''):');
