SELECT "student_id", "last_name" FROM "uni.student"
-- params: []
