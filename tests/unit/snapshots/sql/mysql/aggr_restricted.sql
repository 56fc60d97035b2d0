SELECT `student_id`, `n` FROM (SELECT `student_id`, (count(course_id)) AS `n` FROM `uni`.`student` LEFT JOIN (SELECT `student_id`, `course_id`, `term_id`, `section_id` FROM `uni`.`enroll`) AS `$1` USING (`student_id`) GROUP BY `student_id`) AS `$2` WHERE (n >= 13)
-- params: []
