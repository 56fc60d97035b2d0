SELECT `student_id`, `last_name`, `enroll_year`, `dept`, `scholarship`, `is_international` FROM `uni`.`student` WHERE `student_id` IN (%s, %s)
-- params: [1001, 1002]
