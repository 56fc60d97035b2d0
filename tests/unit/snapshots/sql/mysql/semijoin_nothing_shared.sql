SELECT `student_id`, `last_name`, `enroll_year`, `dept`, `scholarship`, `is_international` FROM `uni`.`student` WHERE EXISTS (SELECT `term_id`, `term_year`, `season` FROM `uni`.`#term`)
-- params: []
