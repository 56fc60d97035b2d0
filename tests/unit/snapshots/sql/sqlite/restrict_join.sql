SELECT "student_id", "course_id", "term_id", "section_id", "room", "capacity" FROM "uni.enroll" JOIN "uni.section" USING ("course_id", "term_id", "section_id") WHERE (capacity > 40)
-- params: []
