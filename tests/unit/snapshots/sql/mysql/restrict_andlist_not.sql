SELECT `student_id`, `last_name`, `enroll_year`, `dept`, `scholarship`, `is_international` FROM `uni`.`student` WHERE (NOT `dept` = %s AND (enroll_year > 2020))
-- params: ['CS']
