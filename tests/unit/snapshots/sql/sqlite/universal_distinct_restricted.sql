SELECT DISTINCT "course_id", "term_id" FROM "uni.enroll" WHERE "student_id" = ?
-- params: [1001]
