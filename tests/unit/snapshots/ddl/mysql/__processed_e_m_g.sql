CREATE TABLE `djtest_ddl`.`__processed_e_m_g` (
  `subject_id` int NOT NULL COMMENT 'subject id',
  `session_idx` smallint NOT NULL,
  `n_channels` smallint NOT NULL COMMENT ':int16:',
  `n_samples` int NOT NULL COMMENT ':int32:',
  `mean_rms` double NOT NULL COMMENT ':float64:',
  `summary` longblob NOT NULL COMMENT ':<blob>:',
  `_job_start_time` datetime(3) DEFAULT NULL COMMENT ':datetime(3):when computation began',
  `_job_duration` float DEFAULT NULL COMMENT ':float32:computation duration in seconds',
  `_job_version` varchar(64) NOT NULL DEFAULT '' COMMENT ':varchar(64):code version',
  PRIMARY KEY (`subject_id`, `session_idx`),
  FOREIGN KEY (`subject_id`, `session_idx`) REFERENCES `djtest_ddl`.`session` (`subject_id`, `session_idx`) ON UPDATE CASCADE ON DELETE RESTRICT
) ENGINE=InnoDB, COMMENT 'per-session signal statistics';
