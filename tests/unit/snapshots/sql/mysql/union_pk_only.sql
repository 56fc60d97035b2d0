SELECT `student_id` FROM (SELECT `student_id` FROM `uni`.`student` WHERE `dept` = %s UNION SELECT `student_id` FROM `uni`.`student` WHERE (enroll_year = 2023)) AS `$1`
-- params: ['CS']
