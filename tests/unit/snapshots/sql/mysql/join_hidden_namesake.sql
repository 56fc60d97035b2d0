SELECT `student_id`, `course_id`, `credits` FROM `uni`.`student` CROSS JOIN (SELECT `course_id`, `credits` FROM `uni`.`course`) AS `$1` WHERE (dept = 'CS')
-- params: []
