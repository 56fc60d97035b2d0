CREATE TABLE "djtest_ddl.subject" (
  "subject_id" int NOT NULL CHECK ("subject_id" BETWEEN -2147483648 AND 2147483647),
  "species_id" smallint NOT NULL CHECK ("species_id" BETWEEN -32768 AND 32767),
  "sex" text NOT NULL CHECK ("sex" IN ('F', 'M', 'U')),
  "dob" date NOT NULL,
  "weight_g" decimal(6,2) NOT NULL,
  "notes" varchar(255) NOT NULL DEFAULT '' CHECK (length("notes") <= 255),
  PRIMARY KEY ("subject_id"),
  FOREIGN KEY ("species_id") REFERENCES "djtest_ddl.#species" ("species_id") ON UPDATE CASCADE ON DELETE RESTRICT
);
CREATE INDEX "djtest_ddl.idx_subject_species_id" ON "djtest_ddl.subject" ("species_id");
INSERT OR REPLACE INTO "~comments" (schema_name, table_name, column_name, comment) VALUES ('djtest_ddl', 'subject', '', 'experimental subjects'), ('djtest_ddl', 'subject', 'subject_id', ':int32:subject id'), ('djtest_ddl', 'subject', 'species_id', 'species number'), ('djtest_ddl', 'subject', 'sex', ':enum(''F'', ''M'', ''U''):'), ('djtest_ddl', 'subject', 'dob', ':date:'), ('djtest_ddl', 'subject', 'weight_g', ':decimal(6,2):grams'), ('djtest_ddl', 'subject', 'notes', ':varchar(255):');
