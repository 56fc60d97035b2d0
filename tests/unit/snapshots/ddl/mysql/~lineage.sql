CREATE TABLE `djtest_ddl`.`~lineage` (
  `table_name` varchar(64) NOT NULL COMMENT 'table name within the schema',
  `attribute_name` varchar(64) NOT NULL COMMENT 'attribute name',
  `lineage` varchar(255) NOT NULL COMMENT 'origin: schema.table.attribute',
  PRIMARY KEY (`table_name`, `attribute_name`)
) ENGINE=InnoDB, COMMENT '';
