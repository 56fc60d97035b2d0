SELECT `student_id`, `last_name`, `enroll_year`, `dept`, `scholarship`, `is_international` FROM `uni`.`student` ORDER BY `student_id` LIMIT 5
-- params: []
