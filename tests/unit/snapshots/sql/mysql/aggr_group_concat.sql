SELECT `dept`, (GROUP_CONCAT(last_name SEPARATOR '; ')) AS `names` FROM `uni`.`#department` LEFT JOIN (SELECT `student_id`, `last_name`, `enroll_year`, `dept`, `scholarship`, `is_international` FROM `uni`.`student`) AS `$1` USING (`dept`) GROUP BY `dept`
-- params: []
