SELECT `student_id`, `last_name`, (count(term_id)) AS `n` FROM `uni`.`student` LEFT JOIN (SELECT `student_id`, `course_id`, `term_id`, `section_id` FROM `uni`.`enroll`) AS `$1` USING (`student_id`) GROUP BY `student_id`, `last_name`
-- params: []
