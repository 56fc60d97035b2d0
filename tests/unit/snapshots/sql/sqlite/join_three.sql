SELECT "student_id", "course_id", "term_id", "section_id", "room", "capacity", "dept", "credits" FROM "uni.enroll" JOIN "uni.section" USING ("course_id", "term_id", "section_id") JOIN "uni.course" USING ("course_id")
-- params: []
