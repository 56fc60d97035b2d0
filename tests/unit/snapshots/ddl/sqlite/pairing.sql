CREATE TABLE "djtest_ddl.pairing" (
  "subject_a" int NOT NULL CHECK ("subject_a" BETWEEN -2147483648 AND 2147483647),
  "subject_b" int NOT NULL CHECK ("subject_b" BETWEEN -2147483648 AND 2147483647),
  "relation" text NOT NULL CHECK ("relation" IN ('sibling', 'cagemate')),
  PRIMARY KEY ("subject_a", "subject_b"),
  FOREIGN KEY ("subject_a") REFERENCES "djtest_ddl.subject" ("subject_id") ON UPDATE CASCADE ON DELETE RESTRICT,
  FOREIGN KEY ("subject_b") REFERENCES "djtest_ddl.subject" ("subject_id") ON UPDATE CASCADE ON DELETE RESTRICT
);
CREATE INDEX "djtest_ddl.idx_pairing_subject_b" ON "djtest_ddl.pairing" ("subject_b");
INSERT OR REPLACE INTO "~comments" (schema_name, table_name, column_name, comment) VALUES ('djtest_ddl', 'pairing', '', 'pairs of subjects, the same parent referenced twice through renames'), ('djtest_ddl', 'pairing', 'subject_a', 'subject id'), ('djtest_ddl', 'pairing', 'subject_b', 'subject id'), ('djtest_ddl', 'pairing', 'relation', ':enum(''sibling'', ''cagemate''):');
