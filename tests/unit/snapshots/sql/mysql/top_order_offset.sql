SELECT `course_id`, `term_id`, `section_id`, `room`, `capacity` FROM `uni`.`section` ORDER BY `capacity` DESC, `course_id`, `term_id`, `section_id` LIMIT 10 OFFSET 5
-- params: []
