SELECT `student_id` AS `sid`, `dept` AS `major` FROM `uni`.`student`
-- params: []
