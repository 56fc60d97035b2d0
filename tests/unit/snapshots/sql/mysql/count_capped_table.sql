SELECT count(*) FROM (SELECT `student_id` FROM `uni`.`student` LIMIT 10001) AS `$count`
-- params: []
