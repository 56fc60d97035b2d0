CREATE TABLE `djtest_ddl`.`__processed_e_m_g__peak` (
  `subject_id` int NOT NULL COMMENT 'subject id',
  `session_idx` smallint NOT NULL,
  `channel` smallint NOT NULL,
  `peak_idx` int NOT NULL COMMENT ':int32:',
  `sample` int NOT NULL COMMENT ':int32:',
  `amplitude` smallint NOT NULL COMMENT ':int16:',
  PRIMARY KEY (`subject_id`, `session_idx`, `channel`, `peak_idx`),
  FOREIGN KEY (`subject_id`, `session_idx`, `channel`) REFERENCES `djtest_ddl`.`__processed_e_m_g__channel` (`subject_id`, `session_idx`, `channel`) ON UPDATE CASCADE ON DELETE RESTRICT
) ENGINE=InnoDB, COMMENT '';
