SELECT `student_id`, `course_id`, `term_id`, `section_id` FROM `uni`.`enroll` WHERE (`course_id`, `section_id`, `student_id`, `term_id`) IN ((%s, %s, %s, %s), (%s, %s, %s, %s))
-- params: [3, 'a', 1001, 1, 4, 'b', 1002, 2]
