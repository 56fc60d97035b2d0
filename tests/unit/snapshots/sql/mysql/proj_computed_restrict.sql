SELECT `course_id`, `term_id`, `section_id`, `spare` FROM (SELECT `course_id`, `term_id`, `section_id`, (capacity - 10) AS `spare` FROM `uni`.`section`) AS `$1` WHERE (spare > 40)
-- params: []
