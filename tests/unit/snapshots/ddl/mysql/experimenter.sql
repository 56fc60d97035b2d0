CREATE TABLE `djtest_ddl`.`experimenter` (
  `experimenter` varchar(32) NOT NULL COMMENT ':varchar(32):',
  `full_name` varchar(64) NOT NULL COMMENT ':varchar(64):',
  `created` datetime NOT NULL DEFAULT CURRENT_TIMESTAMP COMMENT ':datetime:volatile: server time of insert',
  `_prov` json DEFAULT NULL COMMENT ':json:extrinsic provenance for a row that entered from outside',
  PRIMARY KEY (`experimenter`)
) ENGINE=InnoDB, COMMENT 'people who run sessions';
