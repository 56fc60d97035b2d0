SELECT count(*) FROM (SELECT "course_id", "term_id", "section_id" FROM "uni.section" ORDER BY "capacity" DESC, "course_id", "term_id", "section_id" LIMIT 10 OFFSET 5) AS "$count"
-- params: []
