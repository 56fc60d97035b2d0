SELECT `dept`, (count(student_id)) AS `n` FROM `uni`.`#department` LEFT JOIN (SELECT `student_id`, `enroll_year`, `dept` FROM `uni`.`student` WHERE (enroll_year >= 2021)) AS `$1` USING (`dept`) GROUP BY `dept`
-- params: []
