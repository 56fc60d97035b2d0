SELECT count(*) FROM (SELECT "student_id", "course_id", "term_id", "section_id" FROM "uni.student" JOIN "uni.enroll" USING ("student_id") LIMIT 10001) AS "$count"
-- params: []
