CREATE TABLE `djtest_ddl`.`blob_zoo` (
  `blob_id` varchar(32) NOT NULL COMMENT ':varchar(32):',
  `value` longblob DEFAULT NULL COMMENT ':<blob>:',
  PRIMARY KEY (`blob_id`)
) ENGINE=InnoDB, COMMENT 'one row per <blob> serialization case';
