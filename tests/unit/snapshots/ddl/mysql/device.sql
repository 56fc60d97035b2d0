CREATE TABLE `djtest_ddl`.`device` (
  `device_id` binary(16) NOT NULL COMMENT ':uuid:',
  `model` varchar(32) NOT NULL COMMENT ':varchar(32):',
  `serial` varchar(32) DEFAULT NULL COMMENT ':varchar(32):',
  PRIMARY KEY (`device_id`)
) ENGINE=InnoDB, COMMENT 'recording devices, uuid primary key';
