CREATE TABLE `djtest_ddl`.`#species` (
  `species_id` smallint NOT NULL COMMENT ':int16:species number',
  `name` varchar(32) NOT NULL COMMENT ':varchar(32):common name',
  `latin` varchar(64) DEFAULT NULL COMMENT ':varchar(64):',
  PRIMARY KEY (`species_id`)
) ENGINE=InnoDB, COMMENT 'species lookup with contents';
