CREATE TABLE `djtest_ddl`.`subject` (
  `subject_id` int NOT NULL COMMENT ':int32:subject id',
  `species_id` smallint NOT NULL COMMENT 'species number',
  `sex` enum('F','M','U') NOT NULL COMMENT ':enum(''F'', ''M'', ''U''):',
  `dob` date NOT NULL COMMENT ':date:',
  `weight_g` decimal(6,2) NOT NULL COMMENT ':decimal(6,2):grams',
  `notes` varchar(255) NOT NULL DEFAULT '' COMMENT ':varchar(255):',
  PRIMARY KEY (`subject_id`),
  FOREIGN KEY (`species_id`) REFERENCES `djtest_ddl`.`#species` (`species_id`) ON UPDATE CASCADE ON DELETE RESTRICT
) ENGINE=InnoDB, COMMENT 'experimental subjects';
