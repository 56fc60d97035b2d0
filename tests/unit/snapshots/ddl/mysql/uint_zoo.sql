CREATE TABLE `djtest_ddl`.`uint_zoo` (
  `u8` tinyint unsigned NOT NULL COMMENT ':uint8:rate in %%',
  `u16` smallint unsigned NOT NULL COMMENT ':uint16:',
  `u32` int unsigned NOT NULL COMMENT ':uint32:',
  `u64` bigint unsigned NOT NULL COMMENT ':uint64:',
  `flag` tinyint NOT NULL DEFAULT '1' COMMENT ':bool:',
  `label` varchar(8) NOT NULL DEFAULT '50%%' COMMENT ':varchar(8):',
  `species_id` smallint DEFAULT NULL COMMENT 'species number',
  `mood` enum('F','M','U') DEFAULT NULL COMMENT ':enum(''F'', ''M'', ''U''):',
  PRIMARY KEY (`u8`),
  FOREIGN KEY (`species_id`) REFERENCES `djtest_ddl`.`#species` (`species_id`) ON UPDATE CASCADE ON DELETE RESTRICT,
  UNIQUE INDEX (`species_id`)
) ENGINE=InnoDB, COMMENT 'unsigned types; 100%% dj_jupyter';
