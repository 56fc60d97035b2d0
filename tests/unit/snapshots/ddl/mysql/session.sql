CREATE TABLE `djtest_ddl`.`session` (
  `subject_id` int NOT NULL COMMENT 'subject id',
  `session_idx` smallint NOT NULL COMMENT ':int16:',
  `session_start` datetime NOT NULL COMMENT ':datetime:',
  `experimenter` varchar(32) DEFAULT NULL,
  `device_id` binary(16) DEFAULT NULL COMMENT ':uuid:',
  `signal` longblob NOT NULL COMMENT ':<blob>:int16 channels x samples',
  `params` json NOT NULL COMMENT ':json:',
  PRIMARY KEY (`subject_id`, `session_idx`),
  FOREIGN KEY (`subject_id`) REFERENCES `djtest_ddl`.`subject` (`subject_id`) ON UPDATE CASCADE ON DELETE RESTRICT,
  FOREIGN KEY (`experimenter`) REFERENCES `djtest_ddl`.`experimenter` (`experimenter`) ON UPDATE CASCADE ON DELETE RESTRICT,
  FOREIGN KEY (`device_id`) REFERENCES `djtest_ddl`.`device` (`device_id`) ON UPDATE CASCADE ON DELETE RESTRICT,
  INDEX (`session_start`)
) ENGINE=InnoDB, COMMENT 'recording sessions';
