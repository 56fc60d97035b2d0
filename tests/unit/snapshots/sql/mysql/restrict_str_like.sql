SELECT `student_id`, `last_name`, `enroll_year`, `dept`, `scholarship`, `is_international` FROM `uni`.`student` WHERE (last_name LIKE 'O''%%' and is_international = true)
-- params: []
