SELECT "student_id", "course_id", "term_id", "section_id", "last_name", "enroll_year", "dept", "scholarship", "is_international" FROM "uni.student" JOIN "uni.enroll" USING ("student_id") WHERE "dept" = ? AND "term_id" = ?
-- params: ['CS', 3]
