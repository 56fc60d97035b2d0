CREATE TABLE "djtest_ddl"."~lineage" (
  "table_name" varchar(64) NOT NULL,
  "attribute_name" varchar(64) NOT NULL,
  "lineage" varchar(255) NOT NULL,
  PRIMARY KEY ("table_name", "attribute_name")
);
COMMENT ON COLUMN "djtest_ddl"."~lineage"."table_name" IS 'table name within the schema';
COMMENT ON COLUMN "djtest_ddl"."~lineage"."attribute_name" IS 'attribute name';
COMMENT ON COLUMN "djtest_ddl"."~lineage"."lineage" IS 'origin: schema.table.attribute';
