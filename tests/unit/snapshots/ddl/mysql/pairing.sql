CREATE TABLE `djtest_ddl`.`pairing` (
  `subject_a` int NOT NULL COMMENT 'subject id',
  `subject_b` int NOT NULL COMMENT 'subject id',
  `relation` enum('sibling','cagemate') NOT NULL COMMENT ':enum(''sibling'', ''cagemate''):',
  PRIMARY KEY (`subject_a`, `subject_b`),
  FOREIGN KEY (`subject_a`) REFERENCES `djtest_ddl`.`subject` (`subject_id`) ON UPDATE CASCADE ON DELETE RESTRICT,
  FOREIGN KEY (`subject_b`) REFERENCES `djtest_ddl`.`subject` (`subject_id`) ON UPDATE CASCADE ON DELETE RESTRICT
) ENGINE=InnoDB, COMMENT 'pairs of subjects, the same parent referenced twice through renames';
