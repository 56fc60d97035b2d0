CREATE TABLE `djtest_ddl`.`__processed_e_m_g__channel` (
  `subject_id` int NOT NULL COMMENT 'subject id',
  `session_idx` smallint NOT NULL,
  `channel` smallint NOT NULL COMMENT ':int16:',
  `rms` double NOT NULL COMMENT ':float64:',
  `peak_count` int NOT NULL COMMENT ':int32:',
  `mean_abs` float NOT NULL COMMENT ':float32:',
  `trace` longblob NOT NULL COMMENT ':<blob>:',
  PRIMARY KEY (`subject_id`, `session_idx`, `channel`),
  FOREIGN KEY (`subject_id`, `session_idx`) REFERENCES `djtest_ddl`.`__processed_e_m_g` (`subject_id`, `session_idx`) ON UPDATE CASCADE ON DELETE RESTRICT
) ENGINE=InnoDB, COMMENT '';
