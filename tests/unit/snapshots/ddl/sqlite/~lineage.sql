CREATE TABLE "djtest_ddl.~lineage" (
  "table_name" varchar(64) NOT NULL CHECK (length("table_name") <= 64),
  "attribute_name" varchar(64) NOT NULL CHECK (length("attribute_name") <= 64),
  "lineage" varchar(255) NOT NULL CHECK (length("lineage") <= 255),
  PRIMARY KEY ("table_name", "attribute_name")
);
INSERT OR REPLACE INTO "~comments" (schema_name, table_name, column_name, comment) VALUES ('djtest_ddl', '~lineage', 'table_name', 'table name within the schema'), ('djtest_ddl', '~lineage', 'attribute_name', 'attribute name'), ('djtest_ddl', '~lineage', 'lineage', 'origin: schema.table.attribute');
