SELECT DISTINCT `course_id`, `term_id` FROM `uni`.`enroll` WHERE `student_id` = %s
-- params: [1001]
