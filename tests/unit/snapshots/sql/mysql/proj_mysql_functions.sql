SELECT `student_id`, (IF(enroll_year > 2021, 'late', 'early')) AS `later`, (year(enroll_year)) AS `since`, (CURDATE()) AS `today` FROM `uni`.`student`
-- params: []
