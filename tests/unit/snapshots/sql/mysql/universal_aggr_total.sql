SELECT (count(*)) AS `n` FROM `uni`.`enroll`
-- params: []
