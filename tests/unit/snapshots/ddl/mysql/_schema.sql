CREATE DATABASE `djtest_ddl`;
DROP TABLE `djtest_ddl`.`session`;
DROP DATABASE `djtest_ddl`;
